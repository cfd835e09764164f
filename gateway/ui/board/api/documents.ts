/** Every GraphQL operation the board sends, in one place so the selections stay consistent. */

const RUN_FIELDS = /* GraphQL */ `
  fragment BoardRun on WorkflowRun {
    id
    definitionId
    definitionVersion
    status
    currentStepId
    error
    sequence
    startedAt
    finishedAt
    steps {
      stepId
      status
      attempts
      startedAt
      finishedAt
      error
    }
    transitions {
      from
      to
      at
      durationMs
      status
    }
    pendingTask {
      runId
      stepId
      assignee
      message
      expiresAt
    }
  }
`;

const EVENT_FIELDS = /* GraphQL */ `
  fragment BoardEvent on RunProgressEvent {
    id
    runId
    sequence
    cursor
    kind
    at
    status
    stepId
    fromStep
    toStep
    message
    run {
      ...BoardRun
    }
  }
  ${RUN_FIELDS}
`;

export const RUNS_CHANGED = /* GraphQL */ `
  subscription BoardRunsChanged {
    runsChanged {
      ...BoardEvent
    }
  }
  ${EVENT_FIELDS}
`;

export const RUN_PROGRESS = /* GraphQL */ `
  subscription BoardRunProgress($runId: ID!, $after: String) {
    runProgress(runId: $runId, after: $after) {
      ...BoardEvent
    }
  }
  ${EVENT_FIELDS}
`;

export const RECENT_RUNS = /* GraphQL */ `
  query BoardRecentRuns($first: Int) {
    workflowRuns(first: $first) {
      nodes {
        ...BoardRun
      }
    }
  }
  ${RUN_FIELDS}
`;

export const RUN_COMPONENTS = /* GraphQL */ `
  query BoardRunComponents($id: ID!) {
    workflowRun(id: $id) {
      id
      components {
        id
        name
        version
        qualityReport {
          score
          passed
        }
        impact {
          riskScore
          riskLevel
        }
      }
    }
  }
`;

export const DEFINITIONS = /* GraphQL */ `
  query BoardDefinitions {
    workflowDefinitions {
      id
      version
      name
      stepIds
    }
  }
`;

export const START_RUN = /* GraphQL */ `
  mutation BoardStartRun($input: StartRunInput!) {
    startRun(input: $input) {
      ...BoardRun
    }
  }
  ${RUN_FIELDS}
`;

export const CANCEL_RUN = /* GraphQL */ `
  mutation BoardCancelRun($runId: ID!, $reason: String, $compensate: Boolean) {
    cancelRun(runId: $runId, reason: $reason, compensate: $compensate) {
      id
      status
    }
  }
`;

export const RETRY_RUN = /* GraphQL */ `
  mutation BoardRetryRun($runId: ID!) {
    retryRun(runId: $runId) {
      id
      status
    }
  }
`;

export const PENDING_TASKS = /* GraphQL */ `
  query BoardPendingTasks {
    pendingTasks {
      runId
      stepId
      assignee
      message
      expiresAt
    }
  }
`;

export const APPROVE_TASK = /* GraphQL */ `
  mutation BoardApproveTask($runId: ID!, $stepId: String!, $by: String, $comment: String) {
    approveTask(runId: $runId, stepId: $stepId, by: $by, comment: $comment) {
      id
      status
    }
  }
`;

export const REJECT_TASK = /* GraphQL */ `
  mutation BoardRejectTask($runId: ID!, $stepId: String!, $by: String, $comment: String) {
    rejectTask(runId: $runId, stepId: $stepId, by: $by, comment: $comment) {
      id
      status
    }
  }
`;

const DEAD_LETTER_FIELDS = /* GraphQL */ `
  fragment BoardDeadLetter on DeadLetter {
    partition
    offset
    key
    eventType
    eventId
    errorCode
    errorMessage
    attempts
    consumerGroup
    failedAt
  }
`;

/** Every domain at once (aliases), so the counts per domain show without switching. */
export const DEAD_LETTERS = /* GraphQL */ `
  query BoardDeadLetters {
    REGISTRY: deadLetters(domain: REGISTRY) {
      ...BoardDeadLetter
    }
    INTELLIGENCE: deadLetters(domain: INTELLIGENCE) {
      ...BoardDeadLetter
    }
    WORKFLOW: deadLetters(domain: WORKFLOW) {
      ...BoardDeadLetter
    }
    PIPELINE: deadLetters(domain: PIPELINE) {
      ...BoardDeadLetter
    }
  }
  ${DEAD_LETTER_FIELDS}
`;

export const REDRIVE = /* GraphQL */ `
  mutation BoardRedrive($domain: EventDomain!, $type: String, $key: String) {
    redriveDeadLetters(domain: $domain, type: $type, key: $key) {
      redriven
      topics
    }
  }
`;

export const OPERATIONS_STATUS = /* GraphQL */ `
  query BoardOperationsStatus {
    circuitBreakers {
      name
      state
      fires
      failures
      successes
      rejects
      openedAt
      nextAttemptAt
    }
    consumerLag {
      groupId
      state
      members
      lag
      topics {
        topic
        lag
      }
    }
  }
`;

export const ANALYTICS = /* GraphQL */ `
  query BoardAnalytics($definitionId: ID!, $first: Int) {
    workflowAnalytics(definitionId: $definitionId) {
      definitionId
      totalRuns
      finishedRuns
      succeeded
      failed
      successRate
      steps {
        stepId
        executions
        failures
        p50DurationMs
        p95DurationMs
      }
      bottleneckStepId
    }
    workflowRuns(filter: { definitionId: $definitionId }, first: $first) {
      nodes {
        id
        status
        finishedAt
      }
    }
  }
`;
