-- ADR 042: a market batch planned on remembered amounts settles in one statement, which must fail,
-- changing nothing, when what it finds is not what the plan stood on. bazaar_expect(false, why)
-- raises SQLSTATE BZ409; the room then plans the same commands again on a locked read.
CREATE OR REPLACE FUNCTION bazaar_expect(ok boolean, why text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION '%', why USING ERRCODE = 'BZ409';
  END IF;
  RETURN true;
END;
$$;
