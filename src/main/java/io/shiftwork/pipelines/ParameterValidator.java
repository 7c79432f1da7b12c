package io.shiftwork.pipelines;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/** Checks a run's JSON parameters against a pipeline's {@link ParamSpec}s. Pure: no I/O. */
public final class ParameterValidator {

    private ParameterValidator() {
    }

    /**
     * @return the parameters with defaults filled in, in declaration order
     * @throws ApiException 400 naming the first problem: not an object, unknown name, wrong type, missing,
     *         too long, out of range, pattern mismatch; 403 for a value outside the parameter's allowlist
     */
    public static Map<String, Object> validate(PipelineSpec spec, JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid_parameters",
                    "run parameters must be a JSON object, got " + body.getNodeType().name().toLowerCase());
        }
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        spec.parameters().forEach(p -> byName.put(p.name(), p));
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!byName.containsKey(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("unknown_parameter", "pipeline '" + spec.name()
                    + "' has no parameter " + unknown.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
                    + "; it accepts: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec p : spec.parameters()) {
            JsonNode value = body.get(p.name());
            if (value == null || value.isNull()) {
                if (p.required()) {
                    throw ApiException.badRequest("missing_parameter",
                            "pipeline '" + spec.name() + "' requires parameter '" + p.name() + "' ("
                                    + p.type().name().toLowerCase() + ")");
                }
                if (p.defaultValue() != null) {
                    out.put(p.name(), p.defaultValue());
                }
                continue;
            }
            out.put(p.name(), convert(spec, p, value));
        }
        return out;
    }

    private static Object convert(PipelineSpec spec, ParamSpec p, JsonNode value) {
        Object converted = switch (p.type()) {
            case STRING -> value.isTextual() ? value.textValue() : null;
            case INTEGER -> value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : null;
            case NUMBER -> value.isNumber() ? value.doubleValue() : null;
            case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
        };
        if (converted == null) {
            throw ApiException.badRequest("invalid_parameter_type", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' must be " + article(p.type()) + ", got " + describe(value));
        }
        if (p.pattern() != null && "".equals(converted) && !"".matches(p.pattern())) {
            throw ApiException.badRequest("invalid_parameter_value", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' must not be empty");
        }
        if (converted instanceof String text && p.maxLength() != null && text.length() > p.maxLength()) {
            throw ApiException.badRequest("parameter_too_long", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' is at most " + p.maxLength() + " characters, got " + text.length());
        }
        if (converted instanceof Number n && outOfRange(p, n)) {
            throw ApiException.badRequest("parameter_out_of_range", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' must be from " + p.minimum() + " to " + p.maximum() + ", got " + value);
        }
        if (p.pattern() != null && !converted.toString().matches(p.pattern())) {
            throw ApiException.badRequest("invalid_parameter_value", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' must match " + p.pattern() + ", got '" + converted + "'");
        }
        if (converted instanceof String text && p.allowed() != null && hasDotSegment(text)) {
            // a glob such as adhoc/* must not let adhoc/../elsewhere through
            throw ApiException.badRequest("invalid_parameter_value", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' must not hold '.' or '..' path segments, got '" + text + "'");
        }
        if (converted instanceof String text && !p.allows(text)) {
            throw new ApiException(403, "parameter_not_allowed", "parameter '" + p.name() + "' of pipeline '"
                    + spec.name() + "' may only be " + (p.allowed().isEmpty() ? "its default (none allowed)" : String.join(", ", p.allowed())) + " (configured by "
                    + p.allowedBy() + "), got '" + text + "'");
        }
        return converted;
    }

    static boolean hasDotSegment(String value) {
        for (String segment : value.split("[/\\\\]", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static boolean outOfRange(ParamSpec p, Number n) {
        if (n instanceof Long l && p.minimum() instanceof Long min && p.maximum() instanceof Long max) {
            return l < min || l > max;
        }
        double d = n.doubleValue();
        return p.minimum() != null && d < p.minimum().doubleValue() || p.maximum() != null && d > p.maximum().doubleValue()
                || Double.isNaN(d);
    }

    private static String article(ParamSpec.Type type) {
        return switch (type) {
            case STRING -> "a string";
            case INTEGER -> "an integer";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
        };
    }

    private static String describe(JsonNode value) {
        String kind = value.getNodeType().name().toLowerCase();
        String text = value.toString();
        return kind + " " + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }
}
