package io.shiftwork.queries;

import java.util.List;

/**
 * The consumers a routed read may run on right now, in order of preference. The default
 * ({@link ConfiguredReadTargets}) is {@code shiftwork.queries.consumers}; a health-aware pool provides its own bean
 * (answering only the consumers that answer SQL) and this one steps aside.
 */
public interface ReadTargets {

    List<ReadTarget> candidates();
}
