import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Order } from '../api/types';
import { useApi } from '../auth/console-context';
import {
  type CartItem,
  clearCart,
  MAX_ITEMS,
  MAX_QUANTITY,
  removeFromCart,
  setQuantity,
  useCart,
} from '../cart/cart-storage';
import { EmptyState, Field, PageHeader, ProblemNotice } from '../components/ui';
import { formatMoney, parseWhole } from '../format';

export function CartPage() {
  const cart = useCart();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const placing = useRef(false);
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});

  const place = useMutation({
    mutationFn: (items: CartItem[]) =>
      api.send<Order>('POST', '/orders', {
        body: { items: items.map(({ productId, quantity }) => ({ productId, quantity })) },
        // One key per cart: a second click, or a retry, returns the same order.
        headers: { 'idempotency-key': cart.checkoutKey },
      }),
    onSuccess: (order) => {
      clearCart();
      void queryClient.invalidateQueries({ queryKey: ['orders'] });
      void queryClient.invalidateQueries({ queryKey: ['products'] });
      navigate('/orders', { state: { placed: order.id } });
    },
    onSettled: () => {
      placing.current = false;
    },
  });

  const currencies = [...new Set(cart.items.map((item) => item.currency))];
  const blocked =
    currencies.length > 1 || cart.items.length > MAX_ITEMS || Object.values(invalid).some(Boolean);

  if (cart.items.length === 0) {
    return (
      <section>
        <PageHeader title="Cart" />
        <EmptyState title="Your cart is empty.">
          <Link to="/products" className="button">
            Browse products
          </Link>
        </EmptyState>
      </section>
    );
  }

  return (
    <section>
      <PageHeader title="Cart" description="Check the quantities, then place your order." />
      {place.isError ? <ProblemNotice error={place.error} title="The order was not placed" /> : null}
      <div className="card">
        <ul className="cart-lines" aria-label="Items in your cart">
          {cart.items.map((item) => (
            <CartLine
              key={item.productId}
              item={item}
              onValidity={(ok) => setInvalid((current) => ({ ...current, [item.productId]: !ok }))}
            />
          ))}
        </ul>
        <div className="cart-summary">
          {currencies.length > 1 ? (
            <p className="field-error">Items priced in different currencies must be ordered separately.</p>
          ) : (
            <p className="total">
              Total{' '}
              <strong>
                {formatMoney(
                  cart.items.reduce((sum, item) => sum + item.price * item.quantity, 0),
                  currencies[0] ?? null,
                )}
              </strong>
            </p>
          )}
          {cart.items.length > MAX_ITEMS ? (
            <p className="field-error">An order holds at most {MAX_ITEMS} different products.</p>
          ) : null}
          <div className="button-row">
            <button
              type="button"
              className="button button-secondary"
              onClick={clearCart}
              disabled={place.isPending}
            >
              Empty cart
            </button>
            <button
              type="button"
              className="button button-large"
              disabled={place.isPending || blocked}
              onClick={() => {
                if (placing.current) return;
                placing.current = true;
                place.mutate(cart.items);
              }}
            >
              {place.isPending ? 'Placing order…' : 'Place order'}
            </button>
          </div>
          <p className="muted small">Prices are confirmed when the order is placed.</p>
        </div>
      </div>
    </section>
  );
}

function CartLine({ item, onValidity }: { item: CartItem; onValidity: (ok: boolean) => void }) {
  const [text, setText] = useState(String(item.quantity));
  const [error, setError] = useState<string>();
  return (
    <li className="cart-line">
      <div className="cart-line-name">
        <span className="strong">{item.name}</span>
        <span className="sku">{item.sku}</span>
        <span className="muted small">{formatMoney(item.price, item.currency)} each</span>
      </div>
      <Field label="Quantity" error={error}>
        {(props) => (
          <input
            {...props}
            className="quantity-input"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_QUANTITY}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              const parsed = parseWhole(event.target.value, 1, MAX_QUANTITY);
              if ('error' in parsed) {
                setError(parsed.error);
                onValidity(false);
              } else {
                setError(undefined);
                onValidity(true);
                setQuantity(item.productId, parsed.value);
              }
            }}
          />
        )}
      </Field>
      <span className="cart-line-total">{formatMoney(item.price * item.quantity, item.currency)}</span>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => {
          onValidity(true);
          removeFromCart(item.productId);
        }}
        aria-label={`Remove ${item.name}`}
      >
        Remove
      </button>
    </li>
  );
}
