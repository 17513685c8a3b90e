#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfiles' base image (node:20-bookworm-slim) where no image
# registry is reachable, from Debian packages and this machine's own Node.js, and tags it under the
# official name so that `podman build` finds it locally. Then builds and runs an app's image.
# The recipe: shared/notes/containers.md (podman with runc and cgroupfs, host networking).
#
#   sudo infra/docker/local-base-image.sh            # base image only
#   sudo infra/docker/local-base-image.sh user-service   # and helpline/user-service
#
# Needs: apt-get install podman runc debootstrap; root.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOTFS=${ROOTFS:-/tmp/helpline-rootfs}
BASE=docker.io/library/node:20-bookworm-slim
printf '[containers]\ndefault_ulimits = []\n' > /tmp/helpline-containers.conf
export CONTAINERS_CONF=/tmp/helpline-containers.conf
P=(podman --runtime /usr/sbin/runc --cgroup-manager=cgroupfs)

if [ -n "${REBUILD_BASE:-}" ] || ! "${P[@]}" image exists "$BASE"; then
  [ -x "$ROOTFS/bin/sh" ] || debootstrap --variant=minbase bookworm "$ROOTFS"
  # Node.js and npm as this machine has them (Debian bookworm's nodejs is 18, too old), and the
  # official image's unprivileged user.
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  install -D -m 755 "$node_bin" "$ROOTFS/usr/local/bin/node"
  rm -rf "$ROOTFS/usr/local/lib/node_modules/npm"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  chroot "$ROOTFS" sh -c 'id node >/dev/null 2>&1 || { groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node; }'
  # Behind a TLS-intercepting proxy (NODE_EXTRA_CA_CERTS set here), npm inside the build needs
  # the same extra CA; the stand-in base trusts it too. The real base image is not changed.
  changes=(--change 'CMD ["node"]')
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    install -D -m 644 "$NODE_EXTRA_CA_CERTS" "$ROOTFS/usr/local/share/ca-certificates/extra-ca.crt"
    changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt')
  fi
  tar -C "$ROOTFS" -c . | "${P[@]}" import "${changes[@]}" - localhost/node:20-bookworm-slim
  "${P[@]}" tag localhost/node:20-bookworm-slim "$BASE"
fi

if [ -n "${1:-}" ]; then
  "${P[@]}" build --format docker --network=host -f "apps/$1/Dockerfile" -t "localhost/helpline/$1" .
fi
