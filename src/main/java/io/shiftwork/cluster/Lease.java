package io.shiftwork.cluster;

/**
 * A namespace's lease as stored: who holds it, its fencing token (one more at every acquisition, never reused) and
 * until when (epoch milliseconds) it holds without a renewal.
 */
public record Lease(String holder, long token, long until) {

    public boolean expired(long now) {
        return until <= now;
    }
}
