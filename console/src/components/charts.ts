/**
 * chart.js, loaded on demand: only the screens with charts import this module (dynamically), so chart.js stays out of
 * the initial bundle. Only the parts the console draws are registered, which keeps the lazy chunk small too.
 */
import {
  ArcElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, DoughnutController, ArcElement, Legend, Tooltip);

export { Chart };
