/*
 * memfit.h - curves of memory in use against containers running, the choice
 * between them, and their extrapolation to the fleet a memory size holds.
 *
 * The per-container cost of a container is not constant: on the test host
 * ns's host memory per container grows from 324 KiB at 1,000 running to
 * 705 KiB at 8,000 (page tables, slab caches, the kernel's own bookkeeping
 * grow with the fleet), so a straight line fitted on a short ramp
 * under-predicts the memory of a full host. Three models of y = memory above
 * the empty-host baseline against n = containers running are fitted by least
 * squares over the ramp points:
 *
 *   linear     y = c + a n              (2 parameters)
 *   quadratic  y = c + a n + q n^2      (3; q >= 0: cost grows with the fleet)
 *   power law  y = c + a n^b            (3; b in [0.5, 3], fitted by a search
 *                                        over b with c, a by least squares)
 *
 * and the one with the smallest AICc (Akaike's criterion with the small-sample
 * correction, n ln(RSS/n) + 2K + 2K(K+1)/(n-K-1), K = parameters + 1 for the
 * noise variance) is chosen. A model needs n > K + 1 points to be scored; a
 * model that is not increasing over the range it would be extrapolated to is
 * not a candidate. Each fit carries the covariance of its parameters
 * (s^2 (J'J)^-1, J the Jacobian at the data: exact for the linear models, the
 * usual linearisation for the power law), so a prediction at any n has a 95 %
 * prediction interval y(n) +- t(0.975, n-p) s sqrt(1 + g' (J'J)^-1 g).
 *
 * memfit_solve() inverts the curve: the largest fleet whose predicted memory
 * fits in `avail` bytes, and the interval from the two ends of the
 * prediction band.
 */
#ifndef ISOBENCH_MEMFIT_H
#define ISOBENCH_MEMFIT_H

#include <stddef.h>

enum memfit_model { MF_LINEAR, MF_QUADRATIC, MF_POWER, MF_NMODELS };

/* Models the ramp cannot rule out: within this many AICc units of the best,
   i.e. an evidence ratio exp(dAICc / 2) against them below 8 (Royall's
   "strong evidence" threshold for likelihood ratios; Burnham and Anderson
   read dAICc 2..7 as "considerably less" but not "essentially no" support).
   Among them capacity takes the one that predicts the fewest containers:
   an over-fill is what harms, and a short ramp rarely has the evidence to
   reject the curvature that a full host shows (ns on the shared test host:
   2 ln 8 keeps the quadratic at dAICc 2.6 that the old window of 2 dropped,
   +1.8 % instead of +49 % against the measured ceiling; on the quiet host
   the same rule with the floor curve of capacity.c gave -11 %, -31 % and
   +6 % for ns and -33 % for runsc, where the smallest AICc alone was right:
   see the README's predicted-vs-measured table). 2 ln 8 = 4.159. */
#define MEMFIT_AICC_SUPPORT 4.1588830833596715
const char *memfit_model_name(enum memfit_model m);

struct memfit_one {
    int ok;                 /* fitted (enough points, not degenerate) */
    int candidate;          /* ok, scored (enough points for AICc) and increasing */
    int np;                 /* parameters of the curve */
    double p[3];            /* c, a, q (quadratic) or b (power law) */
    double cov[3][3];       /* s^2 (J'J)^-1 */
    double s2;              /* residual variance RSS / (n - np) */
    double rss, aicc;       /* aicc NAN when not scored */
    char why[96];           /* why it is not a candidate, "" when it is */
};

struct memfit {
    size_t n;               /* points */
    double xmax;            /* largest fleet measured */
    struct memfit_one m[MF_NMODELS];
    int chosen;             /* enum memfit_model, -1 when none */
    int scored;             /* chosen by AICc; 0: only the line could be fitted
                               (3 or 4 points), it is taken as it is */
    double t95;             /* t(0.975, n - np) of the chosen model */
};

/* Fit every model to (x[i], y[i]) and choose one. Returns 0, or -1 when not
   even the line can be fitted (fewer than two distinct x). With too few
   points to score any model (fewer than 5), an increasing line fitted to 3 or
   4 points is chosen unscored; f->chosen is -1 when there is none. */
int memfit_fit(const double *x, const double *y, size_t n, struct memfit *f);

/* Predicted memory at fleet x with model k, and the half-width of its 95 %
   prediction interval (NAN when the model has no residual degrees of freedom). */
double memfit_predict(const struct memfit *f, int k, double x, double *half_pi);

/* Largest fleet n (integer, >= 0) with predicted memory <= avail under model
   k: *expected from the curve, *low from the upper end of the prediction band,
   *high from its lower end (INFINITY when the band never reaches avail below
   limit_n). Returns 0, or -1 when the model is not fitted. */
int memfit_solve(const struct memfit *f, int k, double avail, double limit_n, double *expected,
                 double *low, double *high);

/* Marginal cost dy/dn at fleet x under model k. */
double memfit_marginal(const struct memfit *f, int k, double x);

#endif
