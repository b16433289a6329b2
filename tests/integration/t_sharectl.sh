#!/bin/bash
# sharectl as an operator uses it: migrations are idempotent, tokens are
# minted with the stack's secret, exit codes follow SPEC §6.
. "$(dirname "$0")/lib.sh"

out=$("$CTL" migrate)
check_eq "migrate again applies nothing" "$(echo "$out" | jq .applied)" 0
check_eq "every migration is recorded" \
	"$(sql "SELECT count(*) FROM schema_migrations")" \
	"$(ls "$(dirname "$0")"/../../deploy/migrations/*.sql | wc -l)"

tok=$("$CTL" token --tenant t-acme --role agent --sub u-1 --ttl 600)
check_eq "token exits 0" $? 0
payload=$(echo "$tok" | cut -d. -f2 | tr '_-' '/+')
while [ $((${#payload} % 4)) != 0 ]; do payload=$payload=; done
claims=$(echo "$payload" | base64 -d 2>/dev/null)
check_eq "token carries the claims" \
	"$(echo "$claims" | jq -c '[.sub, .tenant, .role]')" '["u-1","t-acme","agent"]'
check "token expires in the asked ttl" \
	[ $(($(echo "$claims" | jq .exp) - $(date +%s))) -le 600 ]
check_eq "token header says HS256" \
	"$(echo "$tok" | cut -d. -f1 | base64 -d 2>/dev/null | jq -r .alg)" HS256

AUTH_JWT_SECRET=short "$CTL" token --tenant t --role agent --sub u \
	>/dev/null 2>&1
check_eq "a short secret is refused (exit 1)" $? 1
"$CTL" token --tenant t --role root --sub u >/dev/null 2>&1
check_eq "an unknown role is refused" $? 1
"$CTL" token --tenant t >/dev/null 2>&1
check_eq "missing flags are bad usage (exit 2)" $? 2
err=$("$CTL" nonsense 2>&1 >/dev/null)
check_eq "an unknown command is bad usage (exit 2)" $? 2
check "errors are one line on stderr" [ "$(echo "$err" | head -1)" = "sharectl: unknown command nonsense" ]
DATABASE_URL=postgresql://nobody@127.0.0.1:1/none "$CTL" stats \
	>/dev/null 2>&1
check_eq "an unreachable database is a failed operation (exit 1)" $? 1
echo 'not json' | "$CTL" produce conversations >/dev/null 2>&1
check_eq "a line that is not JSON is refused (exit 1)" $? 1

out=$(printf 'write to ana@example.com\norder #A-20931 is late\nmy card is 4111 1111 1111 1111\n' |
	"$CTL" redact)
check_eq "sharectl redact redacts line by line" "$out" \
	"$(printf 'write to [REDACTED]\norder #A-20931 is late\nmy card is [REDACTED]')"
check_eq "with the request's terms too" \
	"$(echo 'Project Falcon ships' | "$CTL" redact --term falcon)" \
	"Project [REDACTED] ships"

done_testing
