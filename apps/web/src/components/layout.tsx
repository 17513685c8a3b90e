import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router';
import { type Group, hasGroup, useSession, useSignOut } from '../auth/session';
import { useCart } from '../cart/cart-storage';

interface MenuItem {
  to: string;
  label: string;
  /** Shown only to these groups; to every signed-in person when absent. */
  groups?: readonly Group[];
}

/** The menu follows the person's groups (`cognito:groups`); the services check again anyway. */
const MENU: MenuItem[] = [
  { to: '/products', label: 'Products' },
  { to: '/orders', label: 'My orders' },
  { to: '/profile', label: 'Profile' },
  { to: '/manage/orders', label: 'All orders', groups: ['admin', 'manager'] },
  { to: '/manage/products', label: 'Manage products', groups: ['admin', 'manager'] },
  { to: '/admin/users', label: 'Users', groups: ['admin'] },
  { to: '/admin/api-keys', label: 'API keys', groups: ['admin'] },
];

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const signOut = useSignOut();
  const cart = useCart();
  const units = cart.items.reduce((sum, item) => sum + item.quantity, 0);
  const menu = MENU.filter((item) => !item.groups || hasGroup(session, item.groups));

  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to={session ? '/products' : '/'} className="brand">
            <span className="brand-mark" aria-hidden="true">
              h
            </span>
            helpline
          </Link>
          <div className="account">
            {session ? (
              <>
                <NavLink to="/cart" className="cart-link">
                  Cart{units > 0 ? <span className="count">{units}</span> : null}
                  <span className="visually-hidden">{units === 1 ? ', 1 unit' : `, ${units} units`}</span>
                </NavLink>
                <span className="account-email" title={session.groups.join(', ')}>
                  {session.email}
                </span>
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => void signOut()}
                >
                  Sign out
                </button>
              </>
            ) : null}
          </div>
        </div>
        {session ? (
          <nav className="menu" aria-label="Main">
            <ul>
              {menu.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to}>{item.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="content" className="content" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <p>helpline console · every call goes through the API gateway</p>
      </footer>
    </div>
  );
}
