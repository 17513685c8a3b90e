import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useCursorPages, useMe, useOrders } from '../api/queries';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../api/types';
import { useApi } from '../auth/console-context';
import { useSession } from '../auth/session';
import {
  ConfirmButton,
  EmptyState,
  Loading,
  PageHeader,
  Pager,
  ProblemNotice,
  StatusBadge,
  SuccessNotice,
} from '../components/ui';
import { formatDateTime, formatMoney, shortId } from '../format';

/**
 * `mine`: the person's own orders. `all` (admin, manager): everyone's. order-service answers staff
 * with everyone's orders, so for them "mine" keeps the ones whose buyer is their own user.
 */
export function OrdersPage({ scope }: { scope: 'mine' | 'all' }) {
  const session = useSession();
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const pages = useCursorPages(`${scope}:${status}`);
  const orders = useOrders(status, pages.cursor);
  const me = useMe();
  const placed = (useLocation().state as { placed?: string } | null)?.placed;
  const onlyMine = scope === 'mine' && !!session?.isStaff;

  const visible = orders.data?.items.filter((order) => !onlyMine || order.userId === me.data?.id) ?? [];
  const waiting = orders.isPending || (onlyMine && me.isPending);

  return (
    <section>
      <PageHeader
        title={scope === 'mine' ? 'My orders' : 'All orders'}
        description={
          scope === 'mine'
            ? 'Newest first. A confirmed order can be cancelled; its units go back to stock.'
            : "Every customer's orders, newest first."
        }
      />
      {placed && scope === 'mine' ? (
        <SuccessNotice>Your order {shortId(placed)} is placed.</SuccessNotice>
      ) : null}
      <div className="toolbar">
        <label htmlFor={`${scope}-status`}>Status</label>
        <select
          id={`${scope}-status`}
          value={status}
          onChange={(event) => setStatus(event.target.value as OrderStatus | '')}
        >
          <option value="">Any</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {waiting ? (
        <Loading label="Loading orders…" />
      ) : orders.isError ? (
        <ProblemNotice error={orders.error} onRetry={() => void orders.refetch()} />
      ) : onlyMine && me.isError ? (
        <ProblemNotice error={me.error} onRetry={() => void me.refetch()} />
      ) : visible.length === 0 ? (
        <EmptyState
          title={
            status
              ? `No ${status} orders.`
              : scope === 'mine'
                ? 'You have no orders yet.'
                : 'There are no orders yet.'
          }
        >
          {scope === 'mine' && !status && !pages.hasPrevious ? (
            <Link to="/products" className="button">
              Browse products
            </Link>
          ) : null}
        </EmptyState>
      ) : (
        <ul className="order-list" aria-label="Orders" aria-busy={orders.isFetching}>
          {visible.map((order) => (
            <li key={order.id}>
              <OrderCard order={order} showBuyer={scope === 'all'} highlight={order.id === placed} />
            </li>
          ))}
        </ul>
      )}
      {orders.data ? (
        <Pager
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={!!orders.data.nextCursor}
          busy={orders.isFetching}
          onPrevious={pages.previous}
          onNext={() => orders.data?.nextCursor && pages.next(orders.data.nextCursor)}
        />
      ) : null}
    </section>
  );
}

function OrderCard({
  order,
  showBuyer,
  highlight,
}: {
  order: Order;
  showBuyer: boolean;
  highlight: boolean;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => api.send<Order>('POST', `/orders/${order.id}/cancel`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['orders'] });
      void queryClient.invalidateQueries({ queryKey: ['products'] });
    },
  });
  return (
    <article
      className={`card order-card${highlight ? ' order-new' : ''}`}
      aria-label={`Order ${shortId(order.id)}`}
    >
      <div className="order-head">
        <h2>
          Order <span className="mono">{shortId(order.id)}</span>
        </h2>
        <StatusBadge status={order.status} />
      </div>
      <p className="muted small">
        {formatDateTime(order.createdAt)}
        {showBuyer ? (
          <>
            {' · buyer '}
            <span className="mono">{shortId(order.userId)}</span>
          </>
        ) : null}
      </p>
      <ul className="order-items">
        {order.items.map((item) => (
          <li key={item.productId}>
            <span>
              {item.quantity} × {item.name}
            </span>
            <span>{formatMoney(item.unitPrice * item.quantity, order.currency)}</span>
          </li>
        ))}
      </ul>
      <div className="order-foot">
        <span className="total">
          Total <strong>{formatMoney(order.total, order.currency)}</strong>
        </span>
        {order.status === 'confirmed' ? (
          <ConfirmButton
            label="Cancel order"
            question="Cancel this order?"
            confirmLabel="Yes, cancel it"
            busy={cancel.isPending}
            onConfirm={() => cancel.mutate()}
          />
        ) : null}
      </div>
      {order.reason ? <p className="muted small">Reason: {order.reason}</p> : null}
      {cancel.isPending ? <Loading label="Cancelling…" /> : null}
      {cancel.isError ? <ProblemNotice error={cancel.error} title="The order was not cancelled" /> : null}
    </article>
  );
}
