package io.shiftwork.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

final class Ports {

    private Ports() {
    }

    /** A port free on the loopback interface right now. */
    static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }
}
