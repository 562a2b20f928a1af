-- Payments and their double-entry ledger.
--
-- A payment row and its two ledger entries are written in one transaction. Deferred constraint triggers check
-- at COMMIT that every payment has exactly one debit of +amount and one credit of -amount in its own currency,
-- so an unbalanced or half-written payment can never be committed. Ledger entries are immutable; a payment row
-- only ever changes once, to record that its side effects (receipt, DynamoDB records) were completed.

CREATE TABLE payments (
  id text PRIMARY KEY
    CONSTRAINT payments_id_format CHECK (id ~ '^pay_[0-7][0-9A-HJKMNP-TV-Z]{25}$'),
  idempotency_key text NOT NULL
    CONSTRAINT payments_idempotency_key_format CHECK (idempotency_key ~ '^[A-Za-z0-9_.:-]{8,128}$'),
  request_hash char(64) NOT NULL
    CONSTRAINT payments_request_hash_format CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  amount bigint NOT NULL
    CONSTRAINT payments_amount_range CHECK (amount > 0 AND amount <= 1000000000000),
  currency char(3) NOT NULL
    CONSTRAINT payments_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  merchant_id text NOT NULL
    CONSTRAINT payments_merchant_id_format CHECK (merchant_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  reference text
    CONSTRAINT payments_reference_length CHECK (char_length(reference) BETWEEN 1 AND 128),
  description text
    CONSTRAINT payments_description_length CHECK (char_length(description) <= 256),
  payment_method_type text NOT NULL
    CONSTRAINT payments_payment_method_type CHECK (payment_method_type = 'card_token'),
  payment_method_token text NOT NULL
    CONSTRAINT payments_payment_method_token_format CHECK (payment_method_token ~ '^tok_[A-Za-z0-9]{8,64}$'),
  status text NOT NULL
    CONSTRAINT payments_status CHECK (status IN ('accepted')),
  region text NOT NULL
    CONSTRAINT payments_region_format CHECK (region ~ '^[a-z]{2}(-[a-z]+)+-[0-9]+$'),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  side_effects_completed_at timestamptz,
  -- Idempotency keys belong to the merchant that sent them: two merchants may use the same key.
  CONSTRAINT payments_merchant_idempotency_key_unique UNIQUE (merchant_id, idempotency_key)
);

-- Payments whose receipt / DynamoDB records are not confirmed yet (normally empty; a reconciler reads it).
CREATE INDEX payments_side_effects_pending_idx ON payments (created_at) WHERE side_effects_completed_at IS NULL;
CREATE INDEX payments_merchant_created_idx ON payments (merchant_id, created_at);

CREATE TABLE ledger_entries (
  payment_id text NOT NULL REFERENCES payments (id),
  entry_type text NOT NULL
    CONSTRAINT ledger_entries_entry_type CHECK (entry_type IN ('debit', 'credit')),
  account text NOT NULL
    CONSTRAINT ledger_entries_account_length CHECK (char_length(account) BETWEEN 1 AND 128),
  amount bigint NOT NULL,
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (payment_id, entry_type),
  -- Debits are positive and credits negative, so the entries of a balanced payment sum to zero.
  CONSTRAINT ledger_entries_sign CHECK (
    (entry_type = 'debit' AND amount > 0) OR (entry_type = 'credit' AND amount < 0)
  )
);

-- Raises unless the payment has exactly one debit of +amount and one credit of -amount in its currency.
CREATE FUNCTION assert_payment_balanced(p_payment_id text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_amount bigint;
  v_currency char(3);
  v_entries integer;
  v_debit bigint;
  v_credit bigint;
  v_wrong_currency integer;
BEGIN
  SELECT amount, currency INTO v_amount, v_currency FROM payments WHERE id = p_payment_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger entries reference missing payment %', p_payment_id USING ERRCODE = '23503';
  END IF;
  SELECT count(*),
         coalesce(sum(amount) FILTER (WHERE entry_type = 'debit'), 0),
         coalesce(sum(amount) FILTER (WHERE entry_type = 'credit'), 0),
         count(*) FILTER (WHERE currency <> v_currency)
    INTO v_entries, v_debit, v_credit, v_wrong_currency
    FROM ledger_entries WHERE payment_id = p_payment_id;
  IF v_entries <> 2 OR v_debit <> v_amount OR v_credit <> -v_amount OR v_wrong_currency <> 0 THEN
    RAISE EXCEPTION 'payment % is not balanced in the ledger', p_payment_id USING ERRCODE = '23514';
  END IF;
END;
$$;

CREATE FUNCTION payments_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_payment_balanced(NEW.id);
  RETURN NULL;
END;
$$;

CREATE FUNCTION ledger_entries_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_payment_balanced(NEW.payment_id);
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER payments_balanced
  AFTER INSERT ON payments
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION payments_check_balanced();

CREATE CONSTRAINT TRIGGER ledger_entries_balanced
  AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_check_balanced();

-- The ledger is append-only.
CREATE FUNCTION reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows cannot be changed or removed (%)', TG_TABLE_NAME, TG_OP USING ERRCODE = '55000';
END;
$$;

CREATE TRIGGER ledger_entries_immutable
  BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION reject_change();

CREATE TRIGGER ledger_entries_no_truncate
  BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- A payment is never deleted, and the only change allowed is setting side_effects_completed_at once.
CREATE FUNCTION guard_payment_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'payments cannot be deleted' USING ERRCODE = '55000';
  END IF;
  IF OLD.side_effects_completed_at IS NOT NULL
     OR NEW.side_effects_completed_at IS NULL
     OR (to_jsonb(NEW) - 'side_effects_completed_at') IS DISTINCT FROM (to_jsonb(OLD) - 'side_effects_completed_at') THEN
    RAISE EXCEPTION 'payments are immutable apart from recording side-effect completion once'
      USING ERRCODE = '55000';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER payments_guard
  BEFORE UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION guard_payment_change();

CREATE TRIGGER payments_no_truncate
  BEFORE TRUNCATE ON payments
  FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
