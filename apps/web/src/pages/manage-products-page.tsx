import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/problem';
import { useCursorPages, useProducts } from '../api/queries';
import type { Product, ProductInput } from '../api/types';
import { useApi } from '../auth/console-context';
import {
  ConfirmButton,
  EmptyState,
  Field,
  Loading,
  PageHeader,
  Pager,
  ProblemNotice,
  SuccessNotice,
} from '../components/ui';
import { formatDateTime, formatMoney, moneyInput, parseMoney, parseWhole } from '../format';

/** product-service's limits (apps/product-service, product-fields.ts and products.schema.ts). */
const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]*$/;
const SKU_MAX = 64;
const NAME_MAX = 200;
const DESCRIPTION_MAX = 2000;
const MAX_STOCK = 1_000_000_000;

type Editing = { mode: 'new' } | { mode: 'edit'; product: Product } | undefined;

export function ManageProductsPage() {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const pages = useCursorPages(q);
  const products = useProducts(q, pages.cursor, 20);
  const [editing, setEditing] = useState<Editing>();
  const [saved, setSaved] = useState<string>();

  return (
    <section>
      <PageHeader
        title="Manage products"
        description="Create and change products, and set the stock counted on hand."
        actions={
          <button
            type="button"
            className="button"
            onClick={() => {
              setSaved(undefined);
              setEditing({ mode: 'new' });
            }}
          >
            New product
          </button>
        }
      />
      {saved ? <SuccessNotice>{saved}</SuccessNotice> : null}
      {editing ? (
        <ProductForm
          key={editing.mode === 'edit' ? editing.product.id : 'new'}
          product={editing.mode === 'edit' ? editing.product : undefined}
          onDone={(message) => {
            setEditing(undefined);
            setSaved(message);
          }}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQ(search.trim());
        }}
      >
        <label htmlFor="manage-search" className="visually-hidden">
          Search products
        </label>
        <input
          id="manage-search"
          type="search"
          placeholder="Search by name or SKU"
          value={search}
          maxLength={100}
          onChange={(event) => setSearch(event.target.value)}
        />
        <button type="submit" className="button button-secondary">
          Search
        </button>
      </form>
      {products.isPending ? (
        <Loading label="Loading products…" />
      ) : products.isError ? (
        <ProblemNotice error={products.error} onRetry={() => void products.refetch()} />
      ) : products.data.items.length === 0 ? (
        <EmptyState title={q ? `No products match “${q}”.` : 'There are no products yet.'} />
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Products">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Stock
                </th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {products.data.items.map((product) => (
                <tr key={product.id}>
                  <td className="mono">{product.sku}</td>
                  <td>{product.name}</td>
                  <td className="num">{formatMoney(product.price, product.currency)}</td>
                  <td className="num">{product.stock}</td>
                  <td>{formatDateTime(product.updatedAt)}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      aria-label={`Edit ${product.name}`}
                      onClick={() => {
                        setSaved(undefined);
                        setEditing({ mode: 'edit', product });
                        window.scrollTo({ top: 0 });
                      }}
                    >
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {products.data ? (
        <Pager
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={!!products.data.nextCursor}
          busy={products.isFetching}
          onPrevious={pages.previous}
          onNext={() => products.data?.nextCursor && pages.next(products.data.nextCursor)}
        />
      ) : null}
    </section>
  );
}

type Errors = Partial<Record<keyof ProductInput, string>>;

/** Checks what the form holds as product-service would, so that most mistakes never leave the page. */
function validate(values: Record<keyof ProductInput, string>): { input?: ProductInput; errors: Errors } {
  const errors: Errors = {};
  const sku = values.sku.trim().toUpperCase();
  if (!sku) errors.sku = 'Enter a SKU.';
  else if (sku.length > SKU_MAX) errors.sku = `At most ${SKU_MAX} characters.`;
  else if (!SKU_PATTERN.test(sku))
    errors.sku = 'Letters, digits, ".", "_" and "-" only, starting with a letter or digit.';
  const name = values.name.trim();
  if (!name) errors.name = 'Enter a name.';
  else if (name.length > NAME_MAX) errors.name = `At most ${NAME_MAX} characters.`;
  const description = values.description.trim();
  if (description.length > DESCRIPTION_MAX) errors.description = `At most ${DESCRIPTION_MAX} characters.`;
  const currency = values.currency.trim().toUpperCase();
  let currencyOk = /^[A-Z]{3}$/.test(currency);
  if (currencyOk) {
    try {
      new Intl.NumberFormat('en', { style: 'currency', currency });
    } catch {
      currencyOk = false;
    }
  }
  if (!currencyOk) errors.currency = 'Enter a three-letter currency code, such as JPY.';
  const price = parseMoney(values.price, currencyOk ? currency : 'JPY');
  if ('error' in price) errors.price = price.error;
  const stock = parseWhole(values.stock, 0, MAX_STOCK);
  if ('error' in stock) errors.stock = stock.error;
  if (Object.keys(errors).length > 0 || 'error' in price || 'error' in stock) return { errors };
  return { input: { sku, name, description, currency, price: price.value, stock: stock.value }, errors };
}

function ProductForm({
  product,
  onDone,
  onCancel,
}: {
  product?: Product;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<keyof ProductInput, string>>({
    sku: product?.sku ?? '',
    name: product?.name ?? '',
    description: product?.description ?? '',
    currency: product?.currency ?? 'JPY',
    price: product ? moneyInput(product.price, product.currency) : '',
    stock: product ? String(product.stock) : '0',
  });
  const [errors, setErrors] = useState<Errors>({});
  const invalidate = () => queryClient.invalidateQueries({ queryKey: ['products'] });

  const save = useMutation({
    mutationFn: (input: ProductInput) => {
      if (!product) return api.send<Product>('POST', '/products', { body: input });
      // Only what changed: a stock figure typed a while ago must not overwrite a newer count unasked.
      const changes = Object.fromEntries(
        Object.entries(input).filter(([key, value]) => product[key as keyof ProductInput] !== value),
      );
      return api.send<Product>('PATCH', `/products/${product.id}`, { body: changes });
    },
    onSuccess: (saved) => {
      void invalidate();
      onDone(product ? `Saved ${saved.name}.` : `Created ${saved.name}.`);
    },
  });
  const remove = useMutation({
    mutationFn: () => api.send<void>('DELETE', `/products/${product?.id ?? ''}`),
    onSuccess: () => {
      void invalidate();
      onDone(`Deleted ${product?.name ?? 'the product'}.`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(values);
    setErrors(result.errors);
    if (result.input) save.mutate(result.input);
  };
  const serverField = (field: keyof ProductInput) =>
    save.error instanceof ApiError ? save.error.fieldMessage(field) : undefined;
  const field = (name: keyof ProductInput) => ({
    value: values[name],
    onChange: (event: { target: { value: string } }) =>
      setValues((v) => ({ ...v, [name]: event.target.value })),
  });

  return (
    <form
      className="card form"
      onSubmit={submit}
      noValidate
      aria-label={product ? `Edit ${product.name}` : 'New product'}
    >
      <h2>{product ? `Edit ${product.name}` : 'New product'}</h2>
      <div className="form-grid">
        <Field label="SKU" error={errors.sku ?? serverField('sku')}>
          {(props) => <input {...props} type="text" autoComplete="off" {...field('sku')} />}
        </Field>
        <Field label="Name" error={errors.name ?? serverField('name')}>
          {(props) => <input {...props} type="text" autoComplete="off" {...field('name')} />}
        </Field>
        <Field label="Currency" error={errors.currency ?? serverField('currency')}>
          {(props) => (
            <input {...props} type="text" autoComplete="off" maxLength={3} {...field('currency')} />
          )}
        </Field>
        <Field
          label="Price"
          hint="In the currency's main unit (yen, dollars)"
          error={errors.price ?? serverField('price')}
        >
          {(props) => <input {...props} type="text" inputMode="decimal" {...field('price')} />}
        </Field>
        <Field
          label="Stock"
          hint="Units on hand now, as counted"
          error={errors.stock ?? serverField('stock')}
        >
          {(props) => <input {...props} type="number" inputMode="numeric" min={0} {...field('stock')} />}
        </Field>
      </div>
      <Field label="Description" error={errors.description ?? serverField('description')}>
        {(props) => <textarea {...props} rows={3} {...field('description')} />}
      </Field>
      {save.isError ? <ProblemNotice error={save.error} title="The product was not saved" /> : null}
      {remove.isError ? <ProblemNotice error={remove.error} title="The product was not deleted" /> : null}
      <div className="button-row">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : product ? 'Save changes' : 'Create product'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        {product ? (
          <ConfirmButton
            label="Delete product"
            question="Delete this product?"
            confirmLabel="Yes, delete it"
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        ) : null}
      </div>
    </form>
  );
}
