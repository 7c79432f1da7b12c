package io.shiftwork.nativeimage;

import com.oracle.svm.core.annotate.Alias;
import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

/**
 * Native image only: Quartz's RMI export and lookup (never configured here: {@code org.quartz.scheduler.rmi.*}
 * unset) replaced by a refusal, so that the image does not reach Java RMI. Otherwise {@code QuartzScheduler.bind}
 * reaches {@code java.rmi.server.ObjID}'s static SecureRandom and RMI's object table, which Quarkus's build-time
 * initialisation would put in the image heap ("Detected an instance of Random/SplittableRandom class in the image
 * heap"; README "Native", finding 9). The JVM never reads this class.
 */
final class QuartzWithoutRmi {

    private QuartzWithoutRmi() {
    }

    @TargetClass(className = "org.quartz.core.QuartzScheduler")
    static final class NoBind {

        @Alias
        private org.quartz.core.QuartzSchedulerResources resources;

        @Substitute
        private void bind() {
            String host = resources.getRMIRegistryHost();
            if (host == null || host.isEmpty()) {
                return; // as Quartz's own bind: not configured, nothing to export
            }
            throw new UnsupportedOperationException("Quartz RMI export (org.quartz.scheduler.rmi.export) is not in Shiftwork's native image");
        }

        @Substitute
        private void unBind() {
            // nothing was bound
        }
    }

    @TargetClass(className = "org.quartz.impl.RemoteScheduler")
    static final class NoRemoteScheduler {

        @Substitute
        protected org.quartz.core.RemotableQuartzScheduler getRemoteScheduler() {
            throw new UnsupportedOperationException("Quartz RMI proxy (org.quartz.scheduler.rmi.proxy) is not in Shiftwork's native image");
        }
    }
}
