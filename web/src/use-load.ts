import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** Loads on mount and whenever `key` changes; a late answer for an old key is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` lists what the loader reads
  const run = useCallback(load, key);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    const n = ++current.current;
    setLoading(true);
    run().then(
      (d) => {
        if (n !== current.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (n !== current.current) return;
        setError(
          e instanceof ApiError
            ? e
            : new ApiError({ status: 0, code: 'unknown', title: 'Error', detail: String((e as Error)?.message ?? e) }),
        );
        setLoading(false);
      },
    );
  }, [run, tick]);
  return { data, error, loading, reload: useCallback(() => setTick((t) => t + 1), []) };
}
