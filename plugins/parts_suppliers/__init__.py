"""parts_suppliers plugin (合作配件商): price lists and their approval, reference prices
(本地化价格 / supplier prices), garage labour rates (工时费标准), regional standards and
towing schedules (施救费标准), price feedback, pricing figures and the parts catalog that
the quote checks read."""
