package io.shiftwork.pauseresume;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.builder.RouteBuilder;

/** The machinery of pause/resume: the runs that record each action (the flow itself is routes/pause-resume.camel.yaml). */
@ApplicationScoped
public class PauseResumeRoutes extends RouteBuilder {

    @Override
    public void configure() {
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
