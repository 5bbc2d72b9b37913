/** Shapes of the admin API's answers (the `data` of the success envelope). */
export interface PlatformStats {
  totalStudentMentors: number;
  activeStudentMentors: number;
  totalSessions: number;
  completedSessions: number;
  cancelledSessions: number;
  /** Percent, one decimal. */
  averageCompletionRate: number;
  averageCancellationRate: number;
  averageRating: number | null;
  sessionsByField: Record<string, number>;
}

export interface TrendPoint {
  period: string;
  start: string;
  total: number;
  completed: number;
  cancelled: number;
}
export interface Trends {
  granularity: "day" | "week" | "month";
  timeZone: string;
  points: TrendPoint[];
}

export interface FieldStats {
  fields: { field: string; sessions: number; completed: number; mentors: number }[];
}

export interface MentorRow {
  id: string;
  name: string;
  email: string;
  university: string | null;
  field: string | null;
  degree: string | null;
  year: number | null;
  isActive: boolean;
  totalSessions: number;
  completedSessions: number;
  cancelledSessions: number;
  /** Percent, one decimal. */
  completionRate: number;
  cancellationRate: number;
  averageRating: number | null;
  totalRatings: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

export interface Rating {
  id: string | number;
  rating: number;
  feedback: string | null;
  review: "pending" | "kept" | "hidden";
  flagged: boolean;
  createdAt: string;
  mentorName?: string;
  studentProfileId?: string;
  bookingId: number;
}

export interface MentorDetail {
  /** The mentor's profile as GET /students/:id gives it (only the fields shown here). */
  profile: { id: string; name: string; isActive: boolean; university: string | null; field: string | null; degree: string | null; currentYear: number | null; bio: string | null };
  /** Rates in percent, one decimal. */
  stats: Record<string, number | null>;
  ratings: Rating[];
  upcomingSessions: { id: number; startTime: string; prospectiveName: string; status: string }[];
}

export interface Delivery {
  id: string;
  endpointId: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  /** First 1 KB of the receiver's answer. */
  responseExcerpt: string | null;
  error: string | null;
  at: string;
}

/** GET /webhooks/deliveries/:id: the delivery with its frozen payload and every attempt. */
export interface DeliveryDetail extends Omit<Delivery, "attempts"> {
  payload: Record<string, unknown>;
  attempts: DeliveryAttempt[];
}

export interface EmailItem {
  id: string | number;
  kind: string;
  bookingId: number | null;
  to: string;
  subject: string;
  status: string;
  provider: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface HealthWindow {
  requests: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  routes: { route?: string; method?: string; requests?: number; p95?: number | null; errorRate?: number | null }[];
}
export interface AdminHealth {
  status: string;
  uptimeSeconds: number;
  windows: Record<string, HealthWindow>;
  database: { latencyMs: number | null };
  queue: { due: number; pending: number; running: number; dead: number; oldestDueSeconds: number | null };
  webhooks: { successRate: number | null };
  emails: { successRate: number | null };
  cache: { hitRate: number | null };
  bookings: { failureRate: number | null };
  alerts: { apiErrorRate: boolean; bookingFailureRate: boolean; webhookFailureRate: boolean };
}
