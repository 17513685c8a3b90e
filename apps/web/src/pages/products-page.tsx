import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { PAGE_SIZE, useCursorPages, useProducts } from '../api/queries';
import type { Product } from '../api/types';
import { addToCart, MAX_QUANTITY, useCart } from '../cart/cart-storage';
import { EmptyState, Field, Loading, PageHeader, Pager, ProblemNotice } from '../components/ui';
import { formatMoney, parseWhole } from '../format';

export function ProductsPage() {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const pages = useCursorPages(q);
  const products = useProducts(q, pages.cursor);
  const cart = useCart();
  const units = cart.items.reduce((sum, item) => sum + item.quantity, 0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQ(search.trim());
  };

  return (
    <section>
      <PageHeader
        title="Products"
        description="Everything in the catalogue, with the units in stock now."
        actions={
          units > 0 ? (
            <Link to="/cart" className="button">
              View cart ({units})
            </Link>
          ) : null
        }
      />
      <form className="toolbar" role="search" onSubmit={submit}>
        <label htmlFor="product-search" className="visually-hidden">
          Search products
        </label>
        <input
          id="product-search"
          type="search"
          placeholder="Search by name or SKU"
          value={search}
          maxLength={100}
          onChange={(event) => setSearch(event.target.value)}
        />
        <button type="submit" className="button">
          Search
        </button>
        {q ? (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setSearch('');
              setQ('');
            }}
          >
            Clear
          </button>
        ) : null}
      </form>

      {products.isPending ? (
        <Loading label="Loading products…" />
      ) : products.isError ? (
        <ProblemNotice error={products.error} onRetry={() => void products.refetch()} />
      ) : products.data.items.length === 0 ? (
        <EmptyState title={q ? `No products match “${q}”.` : 'There are no products yet.'}>
          {q ? <p>Try another name or SKU.</p> : null}
        </EmptyState>
      ) : (
        <>
          <ul className="product-grid" aria-label="Products" aria-busy={products.isFetching}>
            {products.data.items.map((product) => (
              <li key={product.id}>
                <ProductCard product={product} />
              </li>
            ))}
          </ul>
          <Pager
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={!!products.data.nextCursor}
            busy={products.isFetching}
            onPrevious={pages.previous}
            onNext={() => products.data.nextCursor && pages.next(products.data.nextCursor)}
          />
          {products.data.items.length === PAGE_SIZE || pages.hasPrevious ? null : (
            <p className="muted small">
              {products.data.items.length} product{products.data.items.length === 1 ? '' : 's'}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function ProductCard({ product }: { product: Product }) {
  const [quantity, setQuantity] = useState('1');
  const [error, setError] = useState<string>();
  const [added, setAdded] = useState(false);
  const inCart = useCart().items.find((item) => item.productId === product.id)?.quantity ?? 0;
  const soldOut = product.stock === 0;

  const add = (event: FormEvent) => {
    event.preventDefault();
    const max = Math.min(product.stock - inCart, MAX_QUANTITY - inCart);
    if (max < 1) {
      setError(inCart > 0 ? 'Your cart already holds all the units you can order.' : 'Out of stock.');
      return;
    }
    const parsed = parseWhole(quantity, 1, max);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setError(undefined);
    addToCart(product, parsed.value);
    setAdded(true);
    setQuantity('1');
  };

  return (
    <article className="card product-card" aria-labelledby={`product-${product.id}`}>
      <div className="product-head">
        <h2 id={`product-${product.id}`}>{product.name}</h2>
        <span className="sku">{product.sku}</span>
      </div>
      {product.description ? <p className="muted">{product.description}</p> : null}
      <div className="product-facts">
        <span className="price">{formatMoney(product.price, product.currency)}</span>
        <span
          className={`stock${soldOut ? ' stock-out' : product.stock < 5 ? ' stock-low' : ''}`}
          data-testid="stock"
        >
          {soldOut ? 'Out of stock' : `${product.stock} in stock`}
        </span>
      </div>
      <form className="add-form" onSubmit={add} noValidate>
        <Field label="Quantity" error={error}>
          {(props) => (
            <input
              {...props}
              className="quantity-input"
              type="number"
              inputMode="numeric"
              min={1}
              max={Math.max(1, product.stock)}
              value={quantity}
              disabled={soldOut}
              onChange={(event) => {
                setQuantity(event.target.value);
                setAdded(false);
              }}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={soldOut}>
          Add to cart
        </button>
      </form>
      <p className="added" role="status">
        {added ? `Added. ${inCart} in your cart.` : ''}
      </p>
    </article>
  );
}
