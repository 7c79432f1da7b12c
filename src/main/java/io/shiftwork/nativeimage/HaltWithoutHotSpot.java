package io.shiftwork.nativeimage;

import org.graalvm.nativeimage.c.function.CFunction;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

/**
 * Native image only: the process's last step, {@code java.lang.Shutdown.halt0(int status)}, ends the process with
 * libc's {@code _exit(status)} (after the shutdown hooks ran, as on the JVM), so a stop (SIGTERM: status 143) or a
 * failed start (status 1) reports the service's own exit status.
 *
 * <p>Why: SubstrateVM keeps {@code halt0} native, and libjava's {@code Java_java_lang_Shutdown_halt0} calls
 * {@code JVM_Halt}, which GraalVM's own libjvm shim defines. Shiftwork's toolchain links Temurin's shared libjava
 * instead of static JDK libraries (README "Native", finding 1), so {@code JVM_Halt} resolved to HotSpot's libjvm.so,
 * whose VM never started: a SIGSEGV and exit status 99 after every stop (finding 11). The JVM never reads this class.
 */
final class HaltWithoutHotSpot {

    private HaltWithoutHotSpot() {
    }

    @TargetClass(className = "java.lang.Shutdown")
    static final class Halt0 {

        @Substitute
        static void halt0(int status) {
            exitNow(status);
        }
    }

    /** libc's {@code _exit(2)}: ends the process with {@code status}, running none of HotSpot's libjvm.so atexit handlers. */
    @CFunction(value = "_exit", transition = CFunction.Transition.NO_TRANSITION)
    static native void exitNow(int status);
}
