package io.shiftwork.nativeimage;

import java.util.function.BooleanSupplier;

import com.oracle.svm.core.annotate.Delete;
import com.oracle.svm.core.annotate.TargetClass;

/**
 * Native image only: without aws-crt on the class path (Shiftwork does not use the CRT-based S3 client), the two
 * classes of the S3 SDK that name aws-crt types in their static initialiser or signatures are deleted from the image.
 * quarkus-amazon-common registers every {@code ExecutionInterceptor} of the class path for reflection, the CRT
 * client's {@code AttachHttpAttributesExecutionInterceptor} included, and the builder then fails with
 * {@code NoClassDefFoundError: software/amazon/awssdk/crt/s3/ResumeToken} (README "Native", finding 6d);
 * quarkus-amazon-s3 3.9.1's own substitutions delete the CRT client but not these two. The JVM never reads this class.
 */
final class S3CrtAbsent implements BooleanSupplier {

    @Override
    public boolean getAsBoolean() {
        try {
            Class.forName("software.amazon.awssdk.crt.s3.ResumeToken", false, S3CrtAbsent.class.getClassLoader());
            return false;
        } catch (ClassNotFoundException absent) {
            return true;
        }
    }

    @TargetClass(className = "software.amazon.awssdk.services.s3.internal.crt.DefaultS3CrtAsyncClient$AttachHttpAttributesExecutionInterceptor",
            onlyWith = S3CrtAbsent.class)
    @Delete
    static final class DeleteAttachHttpAttributesExecutionInterceptor {
    }

    @TargetClass(className = "software.amazon.awssdk.services.s3.internal.crt.S3InternalSdkHttpExecutionAttribute",
            onlyWith = S3CrtAbsent.class)
    @Delete
    static final class DeleteS3InternalSdkHttpExecutionAttribute {
    }
}
