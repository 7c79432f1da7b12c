package io.shiftwork.pipelines;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * With {@code shiftwork.bootstrap=true} (dev and test), creates the AWS resources the service needs before
 * anything uses them. In production they are created by the deployment (see README), so the service needs no
 * create permissions.
 */
@ApplicationScoped
public class Bootstrap {

    /** A capability that has AWS resources to create at bootstrap. */
    public interface Step {
        void bootstrap();
    }

    private static final Logger LOG = Logger.getLogger(Bootstrap.class);

    void onStart(@Observes @Priority(10) StartupEvent ev, @ConfigProperty(name = "shiftwork.bootstrap") boolean enabled,
            RunStore runs, Leases leases, Instance<Step> steps) {
        if (!enabled) {
            return;
        }
        runs.createTable();
        leases.createTable();
        for (Step step : steps) {
            step.bootstrap();
        }
        LOG.info("bootstrap: AWS resources are in place");
    }
}
