package io.shiftwork.pool;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.shiftwork.pool.ConsumerProbe.Target;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupNotFoundException;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthStateEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/** The thin elbv2 adapter: the target group's registered targets, and registering or deregistering some. */
@ApplicationScoped
public class PoolTargets {

    private final ElasticLoadBalancingV2Client elb;

    public PoolTargets(ElasticLoadBalancingV2Client elb) {
        this.elb = elb;
    }

    /** The target group named (or with this ARN), if it exists. */
    public java.util.Optional<TargetGroup> find(String nameOrArn) {
        try {
            var found = nameOrArn.startsWith("arn:") ? elb.describeTargetGroups(b -> b.targetGroupArns(nameOrArn))
                    : elb.describeTargetGroups(b -> b.names(nameOrArn));
            return found.targetGroups().stream().findFirst();
        } catch (TargetGroupNotFoundException e) {
            return java.util.Optional.empty();
        }
    }

    /** A TCP target group of IP targets (a Redshift endpoint is reached by its VPC endpoint's addresses). */
    public TargetGroup create(String name, String vpcId, int port) {
        return elb.createTargetGroup(b -> b.name(name).protocol(ProtocolEnum.TCP).port(port).vpcId(vpcId)
                .targetType(TargetTypeEnum.IP).healthCheckProtocol(ProtocolEnum.TCP)).targetGroups().get(0);
    }

    /** The registered targets: every one DescribeTargetHealth lists, except those draining (deregistered already). */
    public Set<Target> registered(String targetGroupArn) {
        Set<Target> out = new LinkedHashSet<>();
        for (TargetHealthDescription d : elb.describeTargetHealth(b -> b.targetGroupArn(targetGroupArn))
                .targetHealthDescriptions()) {
            if (d.targetHealth() == null || d.targetHealth().state() != TargetHealthStateEnum.DRAINING) {
                out.add(new Target(d.target().id(), d.target().port()));
            }
        }
        return out;
    }

    public void register(String targetGroupArn, Collection<Target> targets) {
        elb.registerTargets(b -> b.targetGroupArn(targetGroupArn).targets(descriptions(targets)));
    }

    public void deregister(String targetGroupArn, Collection<Target> targets) {
        elb.deregisterTargets(b -> b.targetGroupArn(targetGroupArn).targets(descriptions(targets)));
    }

    private static java.util.List<TargetDescription> descriptions(Collection<Target> targets) {
        return targets.stream().map(t -> TargetDescription.builder().id(t.ip()).port(t.port()).build()).toList();
    }
}
