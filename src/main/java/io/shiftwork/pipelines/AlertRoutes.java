package io.shiftwork.pipelines;

import org.apache.camel.builder.RouteBuilder;

/** Alerts to the support SNS topic. */
public class AlertRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("direct:support-alert").routeId("support-alert")
                .description("Publishes an alert about a failed run to the support SNS topic")
                .to("aws2-sns://{{shiftwork.alerts.topic}}?autoCreateTopic={{shiftwork.bootstrap}}");
    }
}
