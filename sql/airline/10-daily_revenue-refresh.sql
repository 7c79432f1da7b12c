-- Recomputes daily_revenue from the confirmed bookings (run after loading; idempotent).
INSERT INTO airline.daily_revenue (date_key, flight_key, bookings_count, revenue)
SELECT b.flight_date_key, b.flight_key, count(*), sum(b.fare_amount)
FROM airline.bookings b
WHERE b.status = 'CONFIRMED'
  AND NOT EXISTS (SELECT 1 FROM airline.daily_revenue r WHERE r.date_key = b.flight_date_key AND r.flight_key = b.flight_key)
GROUP BY b.flight_date_key, b.flight_key
