package io.shiftwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.callback.QuarkusTestBeforeClassCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Real access tokens for the tests, signed by the local user pool (moto's cognito-idp) that
 * {@link LocalAwsTestResource} creates after every reset, one per demo user: {@code viewer}, {@code reader},
 * {@code operator}, {@code admin} (each in the group of its name). Every RestAssured request of a
 * {@code @QuarkusTest} sends {@code Authorization: Bearer <admin's token>} unless it sets its own Authorization
 * header ({@code given().header(TestTokens.bearer("viewer"))}) or asks for none ({@code given().filter(TestTokens.anonymous())}).
 * Installed before each test class and test by this class as a Quarkus test callback (META-INF/services).
 */
public class TestTokens implements QuarkusTestBeforeEachCallback, QuarkusTestBeforeClassCallback {

    static final String TOKENS = "tokens";
    static final String COGNITO = "cognito";
    /** The user whose token a request sends when it names none: admin holds every role. */
    public static final String DEFAULT_USER = "admin";

    /** The current access token of a demo user of the local user pool. */
    @SuppressWarnings("unchecked")
    public static String of(String user) {
        Map<String, String> tokens = (Map<String, String>) LocalAwsTestResource.shared().get(TOKENS);
        String token = tokens == null ? null : tokens.get(user);
        if (token == null) {
            throw new IllegalStateException("no token for '" + user + "': the local user pool has " + tokens);
        }
        return token;
    }

    /** The header a request of this user sends. */
    public static io.restassured.http.Header bearer(String user) {
        return new io.restassured.http.Header("Authorization", "Bearer " + of(user));
    }

    /** The local user pool: endpoint (moto), clientId, issuer, poolId. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> cognito() {
        return (Map<String, String>) LocalAwsTestResource.shared().get(COGNITO);
    }

    /** A filter that sends the request without any Authorization header. */
    public static Filter anonymous() {
        return new Anonymous();
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    /** Also for {@code @BeforeAll} methods that call the API. */
    @Override
    public void beforeClass(Class<?> testClass) {
        install();
    }

    /** Makes every RestAssured request send the default user's token unless it carries its own Authorization. */
    public static void install() {
        List<Filter> filters = new ArrayList<>(RestAssured.filters());
        if (filters.stream().noneMatch(f -> f.getClass().getName().equals(DefaultToken.class.getName()))) {
            filters.add(0, new DefaultToken());
            RestAssured.replaceFiltersWith(filters);
        }
    }

    static final class DefaultToken implements Filter {
        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                FilterContext ctx) {
            if (!request.getHeaders().hasHeaderWithName("Authorization")
                    && System.getProperties().get("shiftwork.test.emulators") != null) {
                request.header("Authorization", "Bearer " + of(DEFAULT_USER));
            }
            return ctx.next(request, response);
        }
    }

    static final class Anonymous implements Filter {
        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                FilterContext ctx) {
            request.removeHeader("Authorization");
            return ctx.next(request, response);
        }
    }
}
