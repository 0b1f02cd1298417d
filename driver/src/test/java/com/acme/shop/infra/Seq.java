package com.acme.shop.infra;

import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.function.Predicate;
import java.util.stream.BaseStream;

/** An application's own stream wrapper: its terminal operations run the pipeline's lambdas. */
public final class Seq<T> implements BaseStream<T, Seq<T>> {

    private final List<T> items;

    public Seq(List<T> items) {
        this.items = items;
    }

    public boolean anyMatch(Predicate<? super T> p) {
        for (T t : items) {
            if (p.test(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Iterator<T> iterator() {
        return items.iterator();
    }

    @Override
    public Spliterator<T> spliterator() {
        return items.spliterator();
    }

    @Override
    public boolean isParallel() {
        return false;
    }

    @Override
    public Seq<T> sequential() {
        return this;
    }

    @Override
    public Seq<T> parallel() {
        return this;
    }

    @Override
    public Seq<T> unordered() {
        return this;
    }

    @Override
    public Seq<T> onClose(Runnable closeHandler) {
        return this;
    }

    @Override
    public void close() {
    }
}
