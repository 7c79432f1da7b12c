-- Airline star schema (the redshift-playground's sample data): the schema the datashare flow shares.
CREATE SCHEMA IF NOT EXISTS airline
