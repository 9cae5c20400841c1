-- wrk script: POST sendMessage to one started chat of a `rekam emulator --no-limits`.
-- Usage: wrk -t1 -c32 -d10s -s docs/bench/send_message.lua \
--          http://127.0.0.1:8090/bot123456:TEST-emulator-token-000000000000000/sendMessage
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"chat_id": 700000001, "text": "Halo Rina, jadwal perekaman KTP-el Anda: Sabtu, 9 November 2024, 08.00-11.00 WIB"}'
