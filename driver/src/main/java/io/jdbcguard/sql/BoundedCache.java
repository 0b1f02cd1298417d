package io.jdbcguard.sql;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A map that never grows past its bound in estimated bytes: when an entry would take it past the
 * bound it is emptied first. The weight is an estimate kept without locks; concurrent puts may pass
 * the bound by a few entries, never by more.
 */
final class BoundedCache<K, V> {
    private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
    private final AtomicLong weight = new AtomicLong();
    private final long maxBytes;

    BoundedCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    V get(K key) {
        return map.get(key);
    }

    void put(K key, V value, long bytes) {
        if (bytes > maxBytes / 16) {
            return; // one entry may not take a large share of the cache
        }
        if (weight.addAndGet(bytes) > maxBytes) {
            map.clear();
            weight.set(bytes);
        }
        map.put(key, value);
    }

    int size() {
        return map.size();
    }

    long weight() {
        return weight.get();
    }
}
