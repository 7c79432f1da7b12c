package io.shiftwork.statements;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetHeaderDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Reads every flow's declared steps (a constant {@code shiftworkSteps} header in a route) when Camel starts, so a
 * step declared wrong — an unknown kind, a missing field, a bad timeout — stops the start naming the route, instead
 * of failing the flow's first run.
 */
@ApplicationScoped
public class DeclaredSteps {

    private static final Logger LOG = Logger.getLogger(DeclaredSteps.class);

    private final CamelContext camel;

    public DeclaredSteps(CamelContext camel) {
        this.camel = camel;
    }

    void check(@Observes StartupEvent started) {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            return;
        }
        int flows = 0;
        for (RouteDefinition route : model.getRouteDefinitions()) {
            flows += check(camel, route.getRouteId(), route.getOutputs());
        }
        LOG.infof("steps declared by %d flows read", flows);
    }

    private static int check(CamelContext camel, String routeId, List<ProcessorDefinition<?>> outputs) {
        int found = 0;
        if (outputs == null) {
            return 0;
        }
        for (ProcessorDefinition<?> p : outputs) {
            if (p instanceof SetHeaderDefinition set && StepSequence.STEPS.equals(set.getName())) {
                ExpressionDefinition e = set.getExpression();
                if (e != null && "constant".equals(e.getLanguage()) && e.getExpression() != null) {
                    try {
                        StepDefinition.parseAll(camel.resolvePropertyPlaceholders(e.getExpression()));
                        found++;
                    } catch (IllegalArgumentException wrong) {
                        throw new IllegalStateException("route '" + routeId + "' declares its steps wrong: " + wrong.getMessage(),
                                wrong);
                    }
                }
            }
            found += check(camel, routeId, p.getOutputs());
        }
        return found;
    }
}
