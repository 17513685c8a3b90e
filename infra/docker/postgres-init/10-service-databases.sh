#!/bin/sh
# compose.yaml's PostgreSQL: what tools/local-postgres does for npm start, once, when the official
# image initialises an empty data directory. For each `database:role:password` of
# POSTGRES_DATABASES (the launcher's variable and format), a login role that is no superuser and
# can create neither roles nor databases, owning its database, whose CONNECT is taken from PUBLIC;
# then the maintenance databases are closed to everyone but the superuser, so that a service's role
# can open its own database and no other.
#
# POSTGRES_INIT_KEEP_MAINTENANCE=1 leaves the maintenance databases open (the tests run this script
# against a shared server).
set -eu

psql_admin() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" --dbname postgres "$@"
}

valid_identifier() {
  case "$1" in
    '' | [!a-z_]* | *[!a-z0-9_]*) return 1 ;;
  esac
  [ "${#1}" -le 63 ]
}

valid_password() {
  case "$1" in
    '' | *[!A-Za-z0-9._~-]*) return 1 ;;
  esac
}

old_ifs=$IFS
IFS=','
set -f
for entry in ${POSTGRES_DATABASES:-}; do
  IFS=$old_ifs
  entry=$(printf '%s' "$entry" | tr -d '[:space:]')
  [ -n "$entry" ] || continue
  database=${entry%%:*}
  rest=${entry#*:}
  role=${rest%%:*}
  password=${rest#*:}
  if [ "$rest" = "$entry" ] || [ "$password" = "$rest" ] || ! valid_identifier "$database" ||
    ! valid_identifier "$role" || ! valid_password "$password"; then
    echo "POSTGRES_DATABASES: \"${database}:${role}:…\" is not database:role:password" \
      "(lower-case identifiers; a password of letters, digits and ._~-)" >&2
    exit 1
  fi
  psql_admin -v database="$database" -v role="$role" -v password="$password" <<'SQL'
select format(
  case when exists (select 1 from pg_roles where rolname = :'role') then 'alter' else 'create' end
    || ' role %I login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password %L',
  :'role', :'password') \gexec
select format('create database %I owner %I', :'database', :'role')
  where not exists (select 1 from pg_database where datname = :'database') \gexec
select format('alter database %I owner to %I', :'database', :'role') \gexec
select format('revoke all on database %I from public', :'database') \gexec
SQL
  echo "database ${database} owned by role ${role}"
  IFS=','
done
IFS=$old_ifs
set +f

if [ "${POSTGRES_INIT_KEEP_MAINTENANCE:-}" != 1 ]; then
  psql_admin -c 'revoke connect on database postgres from public' \
    -c 'revoke connect on database template1 from public'
fi
