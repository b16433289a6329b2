#!/bin/bash
# Key pruning keeps pace (SPEC §2 "bounded memory", issue 12): keys past
# IDEMPOTENCY_RETENTION_DAYS are deleted within seconds however many
# there are, not 200,000 every ten minutes.  120,000 expired keys of
# ingestd's are planted at once; fresh keys stay.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant prune)
sql "INSERT INTO processed_events (consumer, tenant_id, source, event_id, processed_at)
	SELECT 'ingestd', '$T', '/tests/prune', 'old-' || i, now() - interval '30 days'
	FROM generate_series(1, 120000) AS i" > /dev/null
sql "INSERT INTO processed_events (consumer, tenant_id, source, event_id)
	SELECT 'ingestd', '$T', '/tests/prune', 'fresh-' || i
	FROM generate_series(1, 10) AS i" > /dev/null
left() { sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T' AND event_id LIKE 'old-%'"; }
gone() { [ "$(left)" = 0 ]; }
check "120,000 expired keys are pruned within 45 s" wait_until 45 gone
check_eq "fresh keys stay" \
	"$(sql "SELECT count(*) FROM processed_events WHERE tenant_id = '$T' AND event_id LIKE 'fresh-%'")" 10
pruned=$(metric "$INGESTD_METRICS_URL" idempotency_keys_pruned_total)
check "idempotency_keys_pruned_total counts them ($pruned)" [ "${pruned:-0}" -ge 120000 ]
sql "DELETE FROM processed_events WHERE tenant_id = '$T'" > /dev/null

done_testing
