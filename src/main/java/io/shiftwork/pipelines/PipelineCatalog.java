package io.shiftwork.pipelines;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** Every pipeline the service offers, collected from the {@link PipelineSpec} beans of each capability. */
@ApplicationScoped
public class PipelineCatalog {

    private final Map<String, PipelineSpec> byName = new TreeMap<>();

    public PipelineCatalog(Instance<PipelineSpec> specs) {
        for (PipelineSpec spec : specs) {
            if (!spec.name().matches("[a-z][a-z0-9-]*")) {
                throw new IllegalStateException("pipeline name '" + spec.name() + "' is not kebab-case");
            }
            if (byName.putIfAbsent(spec.name(), spec) != null) {
                throw new IllegalStateException("two pipelines are named '" + spec.name() + "'");
            }
        }
    }

    public Collection<PipelineSpec> all() {
        return byName.values();
    }

    public Optional<PipelineSpec> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public PipelineSpec require(String name) {
        return find(name).orElseThrow(() -> ApiException.notFound(
                "no pipeline named '" + name + "'; known pipelines: " + String.join(", ", byName.keySet())));
    }
}
