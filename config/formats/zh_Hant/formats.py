# Official documents in Taiwan group by thousands with commas (1,234,567), not Django's ungrouped 萬 default.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
