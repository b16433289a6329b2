#!/bin/bash
# A real browser: headless Chromium opens a share page of the test stack
# with a team member's session cookie; the rendered DOM is checked
# (messages, labels, focus highlight, note form, style sheet allowed by the
# CSP, no console or CSP errors, fits a phone) and screenshots are saved
# under build/browser/.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant browser)
C=c-browser
msgs=$(jq -nc '[
 {message_id: "b-1", seq: 1, sender: "contact", sender_name: "Maria",
  text: "Hello, my parcel never arrived.", sent_at: "2026-11-20T10:00:00Z"},
 {message_id: "b-2", seq: 2, sender: "ai", text: "I am sorry! Let me check the tracking for order #A-1234.",
  sent_at: "2026-11-20T10:00:30Z",
  citations: [{title: "Shipping policy", url: "https://help.example.com/shipping"}]},
 {message_id: "b-3", seq: 3, sender: "contact", sender_name: "Maria",
  text: "It says delivered, but it is not here.\nCan you resend it?", sent_at: "2026-11-20T10:01:10Z"},
 {message_id: "b-4", seq: 4, sender: "agent", sender_name: "Ann",
  text: "I have sent a replacement; it ships tomorrow.", sent_at: "2026-11-20T10:05:00Z"},
 {message_id: "b-5", seq: 5, sender: "system", text: "Conversation resolved.",
  sent_at: "2026-11-20T10:06:00Z"}]')
envelope goldilocks.conversation.snapshot "$T" "$(jq -nc --arg c "$C" \
	--argjson m "$msgs" '{conversation_id: $c, status: "resolved",
	channel: "web-chat", contact: {id: "ct-9", name: "Maria"},
	tags: ["shipping"], messages: $m}')" | produce conversations
wait_until 20 q "$CTL" inspect conversation "$C" --tenant "$T"

id=$(new_id)
share_request "$T" "$C" '.permission = "comment" | .include = {signal_tags: true, source_citations: true}
	| .context = {reason: "A lost parcel handled well", focus: {from_seq: 2, to_seq: 3}, action: "Use it in training"}' "$id" |
	produce share-requests
url=$(wait_reply "$id" | jq -r .ev.data.url)
agent=$("$CTL" token --tenant "$T" --role agent --sub u-browser)

mkdir -p build/browser
out=$(/usr/bin/python3 "$(dirname "$0")/browser.py" "$url" "$agent" build/browser/share-page)
d=$(jq -c .desktop <<< "$out")
p=$(jq -c .phone <<< "$out")
check_eq "five messages rendered" "$(jq '.messages | length' <<< "$d")" 5
check_eq "sender labels" "$(jq -c '[.messages[].label]' <<< "$d")" '["Contact","AI","Contact","Agent","System"]'
check_eq "an anchor per message" "$(jq -c '[.messages[].id]' <<< "$d")" '["m1","m2","m3","m4","m5"]'
check_eq "UTC timestamps in <time>" "$(jq -r '.messages[0].time' <<< "$d")" 2026-11-20T10:00:00Z
check_eq "text with its line break" "$(jq -r '.messages[2].text' <<< "$d")" "$(printf 'It says delivered, but it is not here.\nCan you resend it?')"
check_eq "focus highlight on messages 2-3" "$(jq -c .focus <<< "$d")" '["m2","m3"]'
check_eq "the highlight is drawn (style sheet allowed by the CSP)" "$(jq .focus_styled <<< "$d")" true
check_eq "the style sheet applies" "$(jq .sheet_applied <<< "$d")" true
check "context note at the top" grep -q 'A lost parcel handled well' <<< "$(jq -r .context <<< "$d")"
check_eq "note form present for a comment link" "$(jq -c '[.form, .csrf]' <<< "$d")" '[true,1]'
check_eq "no script on the page" "$(jq .scripts <<< "$d")" 0
check_eq "no console or CSP messages" "$(jq -c .console <<< "$out")" '[]'
check_eq "readable on a phone: no horizontal scrolling" "$(jq '.width <= .viewport' <<< "$p")" true
check "desktop screenshot saved" test "$(jq .screenshot_bytes <<< "$d")" -gt 10000
check "phone screenshot saved" test -s build/browser/share-page-phone.png

done_testing
