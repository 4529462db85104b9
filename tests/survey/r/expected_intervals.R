# Expected values for tests/survey/test_survey_intervals.py: design degrees of freedom,
# confidence intervals (confint with df = degf, svyciprop logit and beta) and quantiles
# (svyquantile defaults: qrule "math", interval.type "mean"), computed with R's survey package
# (Lumley). Re-run from the repository root, with the oracle folder beside it:
#
#   apt-get install -y r-base-core r-cran-survey      # Debian: R 4.2, survey 4.1
#   Rscript tests/survey/r/expected_intervals.R ../shared/oracles/survey
#
# It writes, beside this script:
#   intervals_design.csv    a constructed survey (6 strata, 20 PSUs, unequal weights, a rare
#                           event, incomes with ties and gaps, a region met in few PSUs) with
#                           R's JKn replicate weights rep1..rep20 (as.svrepdesign, mse = TRUE)
#   intervals_jkn.csv       the replicate design's scale and rscales
#   expected_intervals.csv  case, measure, ci, domain, estimate, se, df, ci_low, ci_high
#
# A domain is R's subset of the design (what svyby passes to each call), restricted to rows with
# the variable present: degf() of that subset is the df. Every case is declared the same way in
# the test (mapping + measures + ci); both sides must agree.

suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
oracles <- if (length(args)) args[1] else "../shared/oracles/survey"
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))
options(survey.lonely.psu = "fail")
rows <- list()

put <- function(case, measure, ci, domain, est, se, df, lo, hi) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, measure = measure, ci = ci,
                                         domain = domain, estimate = est, se = se, df = df,
                                         ci_low = lo, ci_high = hi)
}

# a mean or total with wald and t intervals; a proportion also with logit and beta
estimates <- function(case, des, domain, means = c(), totals = c(), props = c()) {
  df <- degf(des)
  for (v in means) {
    m <- svymean(as.formula(paste0("~", v)), des)
    for (ci in c("wald", "t")) {
      b <- confint(m, df = if (ci == "t") df else Inf)
      put(case, paste0("mean(", v, ")"), ci, domain, coef(m)[[1]], SE(m)[[1]], df, b[1], b[2])
    }
  }
  for (v in totals) {
    m <- svytotal(as.formula(paste0("~", v)), des)
    b <- confint(m, df = df)
    put(case, paste0("total(", v, ")"), "t", domain, coef(m)[[1]], SE(m)[[1]], df, b[1], b[2])
  }
  for (v in props) {
    m <- svymean(as.formula(paste0("~", v)), des)
    for (ci in c("wald", "t")) {
      b <- confint(m, df = if (ci == "t") df else Inf)
      put(case, paste0("mean(", v, ")"), ci, domain, coef(m)[[1]], SE(m)[[1]], df, b[1], b[2])
    }
    for (ci in c("logit", "beta")) {
      p <- svyciprop(as.formula(paste0("~", v)), des, method = ci)
      b <- attr(p, "ci")
      put(case, paste0("mean(", v, ")"), ci, domain, p[[1]], sqrt(attr(p, "var"))[[1]], df,
          b[[1]], b[[2]])
    }
  }
}

quantiles <- function(case, des, domain, v, probs) {
  q <- svyquantile(as.formula(paste0("~", v)), des, probs)[[1]]
  for (i in seq_along(probs)) {
    put(case, sprintf("quantile(%s, %g)", v, probs[i]), "t", domain, q[i, "quantile"],
        q[i, 4], degf(des), q[i, 2], q[i, 3])
  }
}

by_domain <- function(des, variable, fun) {
  fun(des, "")
  for (level in sort(unique(des$variables[[variable]]))) {
    fun(des[des$variables[[variable]] == level, ], paste0(variable, "=", level))
  }
}

# ---- api_strat: stratified, fpc as population sizes, each school its own PSU (df = 200 - 3)
api <- read.csv(file.path(oracles, "api_strat.csv"))
api$p700 <- as.numeric(api$api00 > 700)
strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = api)
by_domain(strat, "stype", function(des, domain) {
  estimates("api_strat", des, domain, means = "api00", totals = "enroll", props = "p700")
  quantiles("api_strat", des, domain, "api00", c(0.25, 0.5, 0.75))
})

# ---- nhanes: strata x PSUs (nested), a rare proportion among children, missing values
nh <- read.csv(file.path(oracles, "nhanes.csv"))
nh <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh)
nh <- subset(nh, !is.na(HI_CHOL))
by_domain(nh, "agecat", function(des, domain) estimates("nhanes", des, domain, props = "HI_CHOL"))

# ---- yrbs: 13 strata, 54 PSUs (df 41)
yrbs <- read.csv(file.path(oracles, "yrbs.csv"))
yrbs <- yrbs[!is.na(yrbs$qn8), ]
yrbs$y <- as.numeric(yrbs$qn8 == 1)
ydes <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = yrbs)
estimates("yrbs", ydes, "", props = "y")

# ---- three_stage.csv (constructed for the multi-stage tests): df counts first-stage PSUs
options(survey.lonely.psu = "adjust")
three <- read.csv(file.path(here, "three_stage.csv"))
three$row <- seq_len(nrow(three))
three <- svydesign(id = ~district + area + row, strata = ~region + zone,
                   fpc = ~fpc1 + fpc2 + fpc3, weights = ~w, data = three)
by_domain(three, "sex", function(des, domain) estimates("three_stage", des, domain,
                                                        means = "income"))
options(survey.lonely.psu = "fail")

# ---- constructed: written first, then read back, so both sides read the same numbers
set.seed(20261205)
psus <- c(2, 3, 4, 3, 5, 3)
parts <- list()
for (h in seq_along(psus)) {
  for (i in seq_len(psus[h])) {
    size <- sample(12:20, 1)
    region <- if (h >= 5 && i <= 2) "C" else sample(c("A", "B"), size, replace = TRUE)
    parts[[length(parts) + 1]] <- data.frame(
      stratum = h, psu = 100 * h + i, w = round(runif(size, 20, 60) * h, 2),
      region = region, sex = sample(c("male", "female"), size, replace = TRUE),
      income = round(exp(rnorm(size, 6.5 + 0.1 * h, 0.6)) / 50) * 50,
      lf = rbinom(size, 1, 0.6))
  }
}
made <- do.call(rbind, parts)
made$income[sample(nrow(made), 15)] <- NA
made$rare <- 0
made$rare[c(which(made$region == "A")[c(3, 40)], which(made$region == "B")[7],
            which(made$region == "C")[5])] <- 1
made$unemp <- made$lf * rbinom(nrow(made), 1, 0.12)
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = made)
jkn <- as.svrepdesign(des, type = "JKn", mse = TRUE)
repw <- weights(jkn, "analysis")
colnames(repw) <- paste0("rep", seq_len(ncol(repw)))
write.csv(cbind(made, repw), file.path(here, "intervals_design.csv"), row.names = FALSE)
write.csv(data.frame(scale = jkn$scale, rscales = jkn$rscales),
          file.path(here, "intervals_jkn.csv"), row.names = FALSE)

made <- read.csv(file.path(here, "intervals_design.csv"))
repw <- as.matrix(made[, grep("^rep", names(made))])
designs <- list(
  constructed = svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = made),
  constructed_jkn = svrepdesign(data = made, repweights = repw, weights = ~w, type = "JKn",
                                scale = jkn$scale, rscales = jkn$rscales, mse = TRUE,
                                combined.weights = TRUE))
for (case in names(designs)) {
  d <- designs[[case]]
  by_domain(d, "region", function(des, domain) {
    estimates(case, des, domain, props = "rare")
    present <- des[!is.na(des$variables$income), ]
    estimates(case, present, domain, means = "income")
    quantiles(case, present, domain, "income", c(0.1, 0.5, 0.9))
    workers <- des[des$variables$lf == 1, ]
    for (ci in c("logit", "beta")) {  # the unemployment rate is the proportion unemployed in lf
      p <- svyciprop(~unemp, workers, method = ci)
      put(case, "ratio(unemp/lf)", ci, domain, p[[1]], sqrt(attr(p, "var"))[[1]],
          degf(workers), attr(p, "ci")[[1]], attr(p, "ci")[[2]])
    }
  })
}

out <- do.call(rbind, rows)
for (col in c("estimate", "se", "ci_low", "ci_high")) out[[col]] <- sprintf("%.17g", out[[col]])
write.csv(out, file.path(here, "expected_intervals.csv"), row.names = FALSE)
cat("wrote", nrow(out), "expected values\n")
