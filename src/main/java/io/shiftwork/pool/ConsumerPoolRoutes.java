package io.shiftwork.pool;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.builder.RouteBuilder;

/** The run recording each change of the pool (the checks themselves are routes/consumer-pool.camel.yaml). */
@ApplicationScoped
public class ConsumerPoolRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("direct:pipeline-" + ConsumerPool.PIPELINE).routeId(ConsumerPool.PIPELINE)
                .description("Records a register or deregister of the consumer pool's target group as a run")
                .bean("runSteps", "begin(${header.shiftworkRunId}, ${body[change]})")
                .bean("runSteps", "awsId(${header.shiftworkRunId}, ${body[change]}, 'targetGroupArn', ${body[targetGroup]})")
                .bean("runSteps", "succeed(${header.shiftworkRunId}, ${body[change]}, ${body})");
    }
}
