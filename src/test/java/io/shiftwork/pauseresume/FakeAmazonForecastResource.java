package io.shiftwork.pauseresume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts {@link FakeAmazonForecast}, points the forecast and forecastquery clients at it, injects it into the test. */
public class FakeAmazonForecastResource implements QuarkusTestResourceLifecycleManager {

    private FakeAmazonForecast fake;

    @Override
    public Map<String, String> start() {
        try {
            fake = new FakeAmazonForecast();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String endpoint = fake.endpoint().toString();
        return Map.of("shiftwork.aws.endpoints.forecast", endpoint, "shiftwork.aws.endpoints.forecastquery", endpoint);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(fake, new TestInjector.MatchesType(FakeAmazonForecast.class));
    }

    @Override
    public void stop() {
        fake.close();
    }
}
