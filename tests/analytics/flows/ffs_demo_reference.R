# The expected flows of test_flows_ffs_demo.py, from the reference implementation.
#
# Runs every ffs_demo example of migest's documentation (man/ffs_demo.Rd, e0 ... e7) and prints
# each origin x destination flow matrix (flows summed over birthplaces, stayers left out) to 14
# decimals. Needs R and the migest package with its dependency mipfp (neither is on Debian or PyPI:
# install from CRAN with install.packages("migest")). Usage:
#
#   Rscript tests/analytics/flows/ffs_demo_reference.R
#
# The values in test_flows_ffs_demo.py for e5 and e6 were printed by this procedure (migest's
# current ffs_demo with its defaults, mipfp's Ipfp), run under R 4.2.2; the same run reproduced the
# published e0-e4 and e7 of ../shared/oracles/flows/EXPECTED.md.
suppressMessages(library(migest))

od <- function(f) {
  o <- apply(f, c(1, 2), sum)
  diag(o) <- 0
  o
}
show <- function(name, f) {
  o <- od(f)
  cat(sprintf("## %s total %.10f\n", name, sum(o)))
  for (i in seq_len(nrow(o))) cat(sprintf("%.14f", o[i, ]), "\n")
}

# inputs as in man/ffs_demo.Rd (s1[,] <- c(...) fills column by column)
r <- LETTERS[1:4]
s1 <- matrix(c(1000, 100, 10, 0, 55, 555, 50, 5, 80, 40, 800, 40, 20, 25, 20, 200), 4, 4, byrow = TRUE)
s2 <- matrix(c(950, 100, 60, 0, 80, 505, 75, 5, 90, 30, 800, 40, 40, 45, 0, 180), 4, 4, byrow = TRUE)
b <- d <- rep(0, 4)
dimnames(s1) <- dimnames(s2) <- list(birth = r, dest = r)
names(b) <- names(d) <- r
show("e0", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d))

s1[, ] <- c(100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200)
s2[, ] <- c(70, 25, 10, 40, 30, 60, 55, 45, 10, 10, 140, 0, 10, 15, 50, 180)
show("e1", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d))

dd <- matrix(c(0, 5, 50, 500, 5, 0, 45, 495, 50, 45, 0, 450, 500, 495, 450, 0), 4, 4, byrow = TRUE)
dimnames(dd) <- list(orig = r, dest = r)
show("e2", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d, seed = dd))

s1[, ] <- c(1000, 55, 80, 20, 100, 555, 40, 25, 10, 50, 800, 20, 0, 5, 40, 200)
s2[, ] <- c(1060, 45, 70, 30, 60, 540, 75, 30, 10, 40, 770, 20, 10, 0, 70, 230)
b[] <- c(80, 20, 40, 60)
d[] <- c(70, 30, 50, 10)
show("e3", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d,
                    match_birthplace_tot_method = "open-dr"))
show("e4", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d,
                    match_birthplace_tot_method = "open"))

b[] <- c(80, 20, 60, 60)
show("e5", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d))

s1[, ] <- c(100, 20, 10, 20, 10, 55, 40, 25, 10, 25, 140, 20, 0, 10, 65, 200)
s2[, ] <- c(75, 20, 30, 30, 25, 45, 40, 30, 5, 30, 150, 20, 0, 15, 60, 230)
b[] <- c(10, 50, 25, 60)
d[] <- c(30, 10, 40, 10)
show("e6", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d))

s1[] <- c(100, 80, 30, 60, 10, 180, 10, 70, 10, 10, 140, 10, 0, 90, 40, 160)
s2[] <- c(95, 75, 55, 35, 5, 225, 0, 25, 15, 5, 115, 25, 5, 55, 50, 215)
b[] <- c(0, 0, 0, 0)
d[] <- c(0, 0, 0, 0)
show("e7", ffs_demo(stock_start = s1, stock_end = s2, births = b, deaths = d))
