package io.shiftwork.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One call brings up every local emulator on free loopback ports and returns the configuration that points
 * Shiftwork at them. Used by the tests (through a test resource), by the local run (dev mode) and by the
 * stand-alone {@link LocalAwsMain}. Never on the production path.
 */
public final class LocalAws implements AutoCloseable {

    private final MotoServer moto;

    private LocalAws(MotoServer moto) {
        this.moto = moto;
    }

    public static LocalAws start(Path workDir) {
        return new LocalAws(MotoServer.start(workDir));
    }

    public MotoServer moto() {
        return moto;
    }

    /** Endpoints by name, for people. */
    public Map<String, String> endpoints() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("moto (redshift, eventbridge, sqs, sns, dynamodb, s3, cloudwatch, lambda)", moto.endpoint().toString());
        return e;
    }

    /** The configuration keys that point Shiftwork at these emulators. */
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("shiftwork.aws.endpoint-override", moto.endpoint().toString());
        c.put("shiftwork.aws.credentials", "static");
        c.put("shiftwork.aws.access-key-id", "local");
        c.put("shiftwork.aws.secret-access-key", "local");
        return c;
    }

    /** Forgets everything the emulators hold. */
    public void reset() {
        moto.reset();
    }

    @Override
    public void close() {
        moto.close();
    }
}
