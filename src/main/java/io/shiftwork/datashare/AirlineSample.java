package io.shiftwork.datashare;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates the airline star schema's rows (sql/airline/: dim_date, dim_airport, dim_aircraft, dim_customer,
 * dim_flight, flight_operations, bookings; daily_revenue is computed from bookings by
 * {@code 10-daily_revenue-refresh.sql}) as INSERT statements of at most {@link #ROWS_PER_INSERT} rows, well under
 * the Data API's 100 KB statement limit. Deterministic for a seed; every value is generated here (numbers,
 * dates and names from fixed lists), none comes from outside.
 */
public final class AirlineSample {

    public static final long SEED = 18L;
    public static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
    public static final int DAYS = 31;
    public static final int CUSTOMERS = 200;
    public static final int BOOKINGS = 2000;
    static final int ROWS_PER_INSERT = 250;

    private static final String[][] AIRPORTS = {
        { "SEA", "Seattle-Tacoma International", "Seattle", "United States", "America/Los_Angeles" },
        { "SFO", "San Francisco International", "San Francisco", "United States", "America/Los_Angeles" },
        { "LAX", "Los Angeles International", "Los Angeles", "United States", "America/Los_Angeles" },
        { "DEN", "Denver International", "Denver", "United States", "America/Denver" },
        { "ORD", "O'Hare International", "Chicago", "United States", "America/Chicago" },
        { "DFW", "Dallas Fort Worth International", "Dallas", "United States", "America/Chicago" },
        { "ATL", "Hartsfield-Jackson Atlanta International", "Atlanta", "United States", "America/New_York" },
        { "JFK", "John F. Kennedy International", "New York", "United States", "America/New_York" },
        { "BOS", "Logan International", "Boston", "United States", "America/New_York" },
        { "YVR", "Vancouver International", "Vancouver", "Canada", "America/Vancouver" },
        { "LHR", "Heathrow", "London", "United Kingdom", "Europe/London" },
        { "CDG", "Charles de Gaulle", "Paris", "France", "Europe/Paris" } };
    private static final String[][] AIRCRAFT = { { "Airbus", "A320neo", "180" }, { "Airbus", "A321neo", "220" },
        { "Boeing", "737-800", "172" }, { "Boeing", "737 MAX 9", "193" }, { "Boeing", "787-9", "290" },
        { "Airbus", "A350-900", "315" }, { "Embraer", "E175", "76" }, { "Airbus", "A220-300", "140" } };
    private static final String[] FIRST = { "Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis",
        "Frances", "Edsger", "Radia", "Tim", "Katherine", "John", "Hedy", "Niklaus" };
    private static final String[] LAST = { "Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Hamilton",
        "Ritchie", "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Johnson", "Backus", "Lamarr", "Wirth" };
    private static final String[] TIERS = { "NONE", "NONE", "NONE", "SILVER", "SILVER", "GOLD", "PLATINUM" };
    private static final String[] FARE_CLASSES = { "ECONOMY", "ECONOMY", "ECONOMY", "ECONOMY", "PREMIUM", "BUSINESS" };
    /** Routes between airport indexes, each flown daily both ways. */
    private static final int[][] ROUTES = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 }, { 0, 9 }, { 1, 2 }, { 1, 7 },
        { 2, 5 }, { 3, 4 }, { 4, 6 }, { 4, 7 }, { 5, 6 }, { 6, 7 }, { 7, 8 }, { 7, 10 }, { 8, 11 }, { 2, 7 } };

    private AirlineSample() {
    }

    /** Every INSERT, dimensions first, in an order the foreign keys accept. */
    public static List<String> inserts(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        Table dates = new Table(out, "airline.dim_date");
        for (int d = 0; d < DAYS; d++) {
            LocalDate day = FIRST_DAY.plusDays(d);
            DayOfWeek dow = day.getDayOfWeek();
            dates.row(dateKey(day), q(day.toString()), day.getYear(), (day.getMonthValue() - 1) / 3 + 1, day.getMonthValue(),
                    day.getDayOfMonth(), dow.getValue(), q(dow.getDisplayName(TextStyle.FULL, Locale.ENGLISH)),
                    dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY);
        }
        dates.flush();
        Table airports = new Table(out, "airline.dim_airport");
        for (int i = 0; i < AIRPORTS.length; i++) {
            String[] a = AIRPORTS[i];
            airports.row(i + 1, q(a[0]), q(a[1]), q(a[2]), q(a[3]), q(a[4]));
        }
        airports.flush();
        Table aircraft = new Table(out, "airline.dim_aircraft");
        int fleet = 24;
        int[] seats = new int[fleet];
        for (int i = 0; i < fleet; i++) {
            String[] type = AIRCRAFT[i % AIRCRAFT.length];
            seats[i] = Integer.parseInt(type[2]);
            aircraft.row(i + 1, q(String.format("N%03dSW", 100 + i)), q(type[0]), q(type[1]), seats[i]);
        }
        aircraft.flush();
        Table customers = new Table(out, "airline.dim_customer");
        for (int i = 1; i <= CUSTOMERS; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            customers.row(i, q(first), q(last), q((first + "." + last + "." + i + "@example.com").toLowerCase(Locale.ROOT)),
                    q(TIERS[random.nextInt(TIERS.length)]), random.nextInt(AIRPORTS.length) + 1,
                    q(LocalDate.of(2018, 1, 1).plusDays(random.nextInt(2000)).toString()));
        }
        customers.flush();
        Table flights = new Table(out, "airline.dim_flight");
        int flightCount = ROUTES.length * 2;
        for (int f = 0; f < flightCount; f++) {
            int[] route = ROUTES[f / 2];
            int from = f % 2 == 0 ? route[0] : route[1];
            int to = f % 2 == 0 ? route[1] : route[0];
            int distance = 300 + random.nextInt(5500);
            flights.row(f + 1, q("SW" + (100 + f)), from + 1, to + 1,
                    q(LocalTime.of(6 + random.nextInt(15), random.nextInt(4) * 15).toString()), 45 + distance / 13, distance);
        }
        flights.flush();
        Table operations = new Table(out, "airline.flight_operations");
        long operation = 1;
        for (int d = 0; d < DAYS; d++) {
            LocalDate day = FIRST_DAY.plusDays(d);
            for (int f = 0; f < flightCount; f++) {
                int plane = (f + d) % fleet;
                LocalDateTime scheduled = day.atTime(6 + (f * 7) % 15, (f % 4) * 15);
                boolean cancelled = random.nextInt(100) < 2;
                int delay = cancelled ? 0 : random.nextInt(100) < 70 ? random.nextInt(10) : 10 + random.nextInt(120);
                int passengers = cancelled ? 0 : seats[plane] * (55 + random.nextInt(45)) / 100;
                operations.row(operation++, f + 1, dateKey(day), plane + 1, q(ts(scheduled)),
                        cancelled ? "NULL" : q(ts(scheduled.plusMinutes(delay))), cancelled ? "NULL" : delay,
                        q(cancelled ? "CANCELLED" : delay > 15 ? "DELAYED" : "ON_TIME"), seats[plane], passengers);
            }
        }
        operations.flush();
        Table bookings = new Table(out, "airline.bookings");
        for (int b = 1; b <= BOOKINGS; b++) {
            LocalDate flown = FIRST_DAY.plusDays(random.nextInt(DAYS));
            LocalDate booked = flown.minusDays(1 + random.nextInt(60));
            String fareClass = FARE_CLASSES[random.nextInt(FARE_CLASSES.length)];
            int base = fareClass.equals("BUSINESS") ? 900 : fareClass.equals("PREMIUM") ? 380 : 120;
            String fare = String.format(Locale.ROOT, "%d.%02d", base + random.nextInt(base), random.nextInt(100));
            bookings.row(b, random.nextInt(CUSTOMERS) + 1, random.nextInt(flightCount) + 1, dateKey(flown),
                    booked.isBefore(FIRST_DAY) ? dateKey(FIRST_DAY) : dateKey(booked), q(fareClass), fare,
                    q(random.nextInt(100) < 6 ? "CANCELLED" : "CONFIRMED"));
        }
        bookings.flush();
        return out;
    }

    /** How many rows dim_flight holds (each flown every day: flight_operations holds this many per day). */
    public static int flightCount() {
        return ROUTES.length * 2;
    }

    static int dateKey(LocalDate d) {
        return d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }

    private static String ts(LocalDateTime t) {
        return t.toLocalDate() + " " + t.toLocalTime() + ":00";
    }

    /** A string literal of generated text: quotes doubled. */
    static String q(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Rows of one table gathered into multi-row INSERTs. */
    private static final class Table {
        private final List<String> out;
        private final String name;
        private final List<String> rows = new ArrayList<>();

        Table(List<String> out, String name) {
            this.out = out;
            this.name = name;
        }

        void row(Object... values) {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < values.length; i++) {
                b.append(i == 0 ? "" : ", ").append(values[i]);
            }
            rows.add(b.append(')').toString());
            if (rows.size() >= ROWS_PER_INSERT) {
                flush();
            }
        }

        void flush() {
            if (!rows.isEmpty()) {
                out.add("INSERT INTO " + name + " VALUES " + String.join(", ", rows));
                rows.clear();
            }
        }
    }

    /** Runs every INSERT through {@code run} (one Data API statement each). */
    public static void load(long seed, Consumer<String> run) {
        inserts(seed).forEach(run);
    }
}
