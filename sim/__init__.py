"""The demo market and load generator: simulated devices and people that use the real
broker and the real API.

`world` lays out the market; `market` runs its days in waves: `mall` (orders),
`dispatcher` (cartons, plans), `readers` (packing stations and dock doors), `vans` and
`paths` (driving), `driver` (loading checks, proof of delivery), `mall_webhooks` (what the
mall hears back); `provision` gives every device its registry entry and broker password,
`api_client` signs in. `load` is `waybill sim --devices N --rate R`.
"""
