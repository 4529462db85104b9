# Expected values for tests/survey/test_survey_r_designs.py, computed with R's survey
# package (Lumley). Re-run from the repository root, with the oracle folder beside it:
#
#   apt-get install -y r-base-core r-cran-survey      # Debian: R 4.2, survey 4.1
#   Rscript tests/survey/r/expected_designs.R ../shared/oracles/survey
#
# It writes, beside this script:
#   expected_designs.csv   case, measure, domain, estimate, se (full precision)
#   bootstrap_factors_*.csv  R's bootstrap replicate factors per PSU (the replicates are random:
#                          the tests rebuild the same replicate weights from these factors)
# Every case is declared the same way in the test (mapping + measures); both sides must agree.

suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
oracles <- if (length(args)) args[1] else "../shared/oracles/survey"
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))
options(survey.lonely.psu = "fail")
rows <- list()

put <- function(case, measure, value, domain = "") {
  est <- coef(value)
  se <- SE(value)
  rows[[length(rows) + 1]] <<- data.frame(case = case, measure = measure, domain = domain,
                                         estimate = unname(est), se = unname(se))
}

put_by <- function(case, measure, value, by) {
  est <- coef(value)
  se <- SE(value)
  rows[[length(rows) + 1]] <<- data.frame(case = case, measure = measure,
                                         domain = paste0(by, "=", names(est)),
                                         estimate = unname(est), se = unname(se))
}

# ---- api_clus2: two stages (districts, then schools), fpc as population counts
clus2 <- read.csv(file.path(oracles, "api_clus2.csv"))
two <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = clus2)
api_cases <- function(case, des) {
  put(case, "mean_api00", svymean(~api00, des))
  put(case, "total_enroll", svytotal(~enroll, des, na.rm = TRUE))
  put(case, "mean_api.stu", svymean(~api.stu, des))
  put(case, "ratio_api.stu_enroll", svyratio(~api.stu, ~enroll, des, na.rm = TRUE))
  put_by(case, "mean_api00", svyby(~api00, ~sch.wide, des, svymean), "sch.wide")
  put_by(case, "total_enroll", svyby(~enroll, ~stype, des, svytotal, na.rm = TRUE), "stype")
  put(case, "mean_api00_where", svymean(~api00, subset(des, api.stu > 500)))
}
api_cases("clus2_counts", two)

# the same sample with fpc as sampling fractions, and a first-stage fraction of 0.5
clus2$f1 <- 0.5
clus2$f2 <- ave(clus2$snum, clus2$dnum, FUN = length) / clus2$fpc2
half <- svydesign(id = ~dnum + snum, fpc = ~f1 + f2, weights = ~pw, data = clus2)
api_cases("clus2_fractions", half)

# two stages declared without fpc: the first stage's variance only (ultimate cluster)
api_cases("clus2_no_fpc", svydesign(id = ~dnum + snum, weights = ~pw, data = clus2))

# ---- three_stage.csv (constructed, committed): strata at stages 1 and 2, households as rows
three <- read.csv(file.path(here, "three_stage.csv"))
three$row <- seq_len(nrow(three))
for (rule in c("certainty", "remove", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  des <- svydesign(id = ~district + area + row, strata = ~region + zone,
                   fpc = ~fpc1 + fpc2 + fpc3, weights = ~w, data = three)
  case <- paste0("three_", rule)
  put(case, "mean_income", svymean(~income, des))
  put(case, "total_poor", svytotal(~poor, des))
  put(case, "ratio_income_size", svyratio(~income, ~size, des))
  put_by(case, "mean_income", svyby(~income, ~sex, des, svymean), "sex")
  put_by(case, "total_poor", svyby(~poor, ~region, des, svytotal), "region")
}
options(survey.lonely.psu = "fail")

# ---- NHANES with PSU 2 of strata 83 and 84 dropped: two single-PSU strata, one stage
nhanes <- read.csv(file.path(oracles, "nhanes.csv"))
lonely <- subset(nhanes, !(SDMVSTRA %in% c(83, 84) & SDMVPSU == 2))
for (rule in c("certainty", "remove", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  des <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE,
                   data = lonely)
  case <- paste0("nhanes_", rule)
  put(case, "mean_HI_CHOL", svymean(~HI_CHOL, des, na.rm = TRUE))
  put(case, "total_HI_CHOL", svytotal(~HI_CHOL, des, na.rm = TRUE))
  put_by(case, "mean_HI_CHOL", svyby(~HI_CHOL, ~race, des, svymean, na.rm = TRUE), "race")
}
options(survey.lonely.psu = "fail")

# ---- Brewer PPS without replacement: a systematic PPS sample of schools from api_pop, by
# school type, with probability proportional to enrolment (the test draws the same sample)
pop <- read.csv(file.path(oracles, "api_pop.csv"))
pop <- pop[!is.na(pop$enroll), ]
pop <- pop[order(pop$stype, pop$cds), ]
sizes <- c(E = 60, H = 15, M = 25)
pop$pi <- sizes[pop$stype] * pop$enroll / ave(pop$enroll, pop$stype, FUN = sum)
stopifnot(max(pop$pi) < 1)
pop$take <- ave(pop$pi, pop$stype, FUN = function(p) {
  cum <- cumsum(p)
  as.numeric(floor(cum + 0.5) > floor(c(0, head(cum, -1)) + 0.5))
})
pps <- pop[pop$take == 1, ]
stopifnot(all(table(pps$stype) == sizes[names(table(pps$stype))]))
brewer <- svydesign(id = ~1, strata = ~stype, fpc = ~pi, probs = ~pi, pps = "brewer", data = pps)
put("brewer", "mean_api00", svymean(~api00, brewer))
put("brewer", "total_api00", svytotal(~api00, brewer))
put("brewer", "ratio_api00_api99", svyratio(~api00, ~api99, brewer))
put_by("brewer", "mean_api00", svyby(~api00, ~sch.wide, brewer, svymean), "sch.wide")
# which schools were drawn: a checksum of their cds codes, so the test knows it drew the same
rows[[length(rows) + 1]] <- data.frame(case = "brewer", measure = "selection", domain = "",
                                       estimate = sum(as.numeric(pps$cds) %% 1000003),
                                       se = nrow(pps))

# ---- bootstrap replicate weights, R's default scale and centre (set.seed: reproducible)
boot_case <- function(case, des, keys, file, measure_fn) {
  set.seed(20261205)
  rep <- as.svrepdesign(des, type = "bootstrap", replicates = 50)
  factors <- as.matrix(rep$repweights)
  first <- !duplicated(des$cluster[, 1])
  out <- data.frame(des$variables[first, keys, drop = FALSE], factors[first, , drop = FALSE])
  names(out) <- c(keys, paste0("r", 1:50))
  write.csv(out, file.path(here, file), row.names = FALSE)
  measure_fn(case, rep)
}
nh <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes)
boot_case("boot_nhanes", nh, c("SDMVSTRA", "SDMVPSU"), "bootstrap_factors_nhanes.csv",
          function(case, rep) {
            put(case, "mean_HI_CHOL", svymean(~HI_CHOL, rep, na.rm = TRUE))
            put(case, "total_HI_CHOL", svytotal(~HI_CHOL, rep, na.rm = TRUE))
            put_by(case, "mean_HI_CHOL", svyby(~HI_CHOL, ~race, rep, svymean, na.rm = TRUE),
                   "race")
          })
one <- svydesign(id = ~dnum, weights = ~pw, data = clus2)
boot_case("boot_clus2", one, c("dnum"), "bootstrap_factors_clus2.csv",
          function(case, rep) {
            put(case, "mean_api00", svymean(~api00, rep))
            put(case, "total_enroll", svytotal(~enroll, rep, na.rm = TRUE))
          })

out <- do.call(rbind, rows)
out$estimate <- sprintf("%.17g", out$estimate)
out$se <- sprintf("%.17g", out$se)
write.csv(out, file.path(here, "expected_designs.csv"), row.names = FALSE)
cat(nrow(out), "expected values written to", here, "\n")
