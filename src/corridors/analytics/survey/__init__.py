"""Survey microdata engine: ICLS-2018 labour-migration indicators with design-based standard errors."""
