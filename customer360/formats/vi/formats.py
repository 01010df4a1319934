# Vietnamese agents read day-first dates with slashes and 24-hour times:
# 21/05/2023 11:48. Numbers group thousands with dots: 12.000.
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
