/** Thotis brand, as every e-mail shows it (Property 15). */
export const brand = {
  name: "Thotis",
  primary: "#FF6B35",
  secondary: "#004E89",
  fontFamily: "Montserrat, Inter, Arial, sans-serif",
  /** Where the logo is served (notifications module), relative to PUBLIC_URL. */
  logoPath: "/brand/logo.png",
} as const;

/**
 * The logo mark (96x96 PNG, shown at 48x48): an orange rounded square with a white T and a blue dot. Kept inline so
 * the server serves it with no file system access; a PNG because several mail clients do not show SVG images.
 */
export const logoPngBase64 =
  "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAYAAADimHc4AAACqklEQVR42u2du23DMBCGNYJG8Ahp1GeCwECQKo2KACnUpE2nIk0qj+AypTeIR/AIHsFAirQXUaLjB2SZelAnWZ+AHzBiGzH/TyTvKJAXiEjQWEkUZppnSjOtM20yyY1rY9ua2raHbTxsarz5x6sJmO2qVe6JdwCF8VsMv6htXRCuxs9st8NkN61zzzoBkERxph2m1tYu964VgCRaYGRrLZoBSKIl5nWmZT0A3Pm99YRLYz6G+VFcDaCIdphw/U7MsyoAhJp9hKilAIokC4P60bwMABlunxnzCQDufrVesAfAwprGAl4OoFhSxhAdhQw/ysNQYB8sYIaOUmJ/5ZwgmMhjxME+3gwwQVcAAAAAMOJmAXx/ifz+yGgv89tNG0YJwPzwW7k8QvAHYMx3fllPGB2AW7sAAAAAAAAAAAAAAAhDScRIxFiKmNxi3EDGbAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgKO2r/fy9vwid4/vEjx85jKvzd/MewDwCGAZP0k4//g3/lzmPfMZAHgAYIy9ZPy5fECYNAAztFTd+WU9oevhaNIAzPjuav5e5jsA6AjA8YTrKvMdAHQEoK75ewEAAAqqs9PGcU8XQ5CvPWeO24qYhLvec1ZzTxdh6ABEIjYQCCxFKIvFuAmfGcfBrYnuwa1rjIhUjy7m8O5E9/Bujq9PdI+vp4BDolnAgRImolvChCI+AyjiQxkr0S1jRS8YQCE3ShkqlzKkmKfoF/OknK3olrOloLPoF3SmpLnolzSnJ3i/890AHOYEJuZmE258zd/rAA7RESFqnVDzLNppB+A0WSNjrspwj5Ks7gGcgmAB73hhrabx7QAcQIQWRmq73RQeb25sW1Pb9rCNh3//pKfGZZnJTwAAAABJRU5ErkJggg==";
