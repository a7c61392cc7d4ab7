// A page's h1. After an in-app navigation it takes focus, so keyboard and screen-reader users start at the new page.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';

export function PageHeading({ children, className = '' }: { children: ReactNode; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // "default" is the key of the location the app was opened at; anything else came from a navigation.
  const [navigated] = useState(useLocation().key !== 'default');
  useEffect(() => {
    if (navigated) ref.current?.focus();
  }, [navigated]);
  return (
    <h1 ref={ref} tabIndex={-1} className={`text-2xl font-semibold tracking-tight text-zinc-950 outline-none ${className}`}>
      {children}
    </h1>
  );
}
