package io.shiftwork.queries;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.DefaultBean;

/** {@link ReadTargets} from {@code shiftwork.queries.consumers}, all taken as healthy. */
@ApplicationScoped
@DefaultBean
public class ConfiguredReadTargets implements ReadTargets {

    private final List<ReadTarget> targets;

    public ConfiguredReadTargets(QueriesConfig config) {
        this.targets = config.consumers().orElse(List.of()).stream().filter(s -> !s.isBlank()).map(ReadTarget::parse)
                .distinct().toList();
    }

    @Override
    public List<ReadTarget> candidates() {
        return targets;
    }
}
