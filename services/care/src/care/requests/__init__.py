"""Help requests: opened by workers, residents, Open311 clients and events; answered within their deadlines."""
