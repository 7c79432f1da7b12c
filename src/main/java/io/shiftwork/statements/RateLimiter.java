package io.shiftwork.statements;

/** A token bucket: at most {@code perSecond} permits a second, bursts up to one second's worth. */
public final class RateLimiter {

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private long last;

    public RateLimiter(double perSecond) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive, got " + perSecond);
        }
        this.perSecond = perSecond;
        this.capacity = Math.max(1, perSecond);
        this.tokens = capacity;
        this.last = System.nanoTime();
    }

    /** Waits until a permit is free and takes it. */
    public void acquire() {
        long waitNanos;
        synchronized (this) {
            refill(System.nanoTime());
            tokens -= 1;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / perSecond * 1e9);
        }
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void refill(long now) {
        tokens = Math.min(capacity, tokens + (now - last) / 1e9 * perSecond);
        last = now;
    }
}
