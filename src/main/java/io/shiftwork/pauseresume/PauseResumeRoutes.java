package io.shiftwork.pauseresume;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.builder.RouteBuilder;

/** The machinery of pause/resume: the executor tick and the runs that record each action. */
@ApplicationScoped
public class PauseResumeRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:pause-resume-executor?period={{shiftwork.pause-resume.executor-period}}&delay=10s")
                .routeId("pause-resume-executor").autoStartup("{{shiftwork.pause-resume.scheduled}}")
                .description("Carries out the pauses and resumes that are due")
                .bean("pauseResume", "execute");

        for (String action : new String[] { "cluster-pause", "cluster-resume", "cluster-hold" }) {
            from("direct:pipeline-" + action).routeId(action)
                    .description("Records a " + action.substring("cluster-".length()) + " as a run")
                    .bean("runSteps", "begin(${header.shiftworkRunId}, '" + action.substring("cluster-".length()) + "')")
                    .bean("runSteps", "awsId(${header.shiftworkRunId}, '" + action.substring("cluster-".length())
                            + "', 'clusterIdentifier', ${body[cluster]})")
                    .bean("runSteps", "succeed(${header.shiftworkRunId}, '" + action.substring("cluster-".length())
                            + "', ${body[action]})");
        }
    }
}
