// Resources that depend on the stage's params, built here rather than written out in serverless.yml:
// the IAM role of each function, least privilege, from one table (the "Permissions" section of docs/deploy.md
// shows the same table; test/integration/package.test.ts checks the packaged template against it),
// and the DynamoDB gateway endpoint, only when network=vpc and route tables are given.

/**
 * The four webhooks: record (the claim and the event, both conditional puts; a read-back where a refusal
 * carries no item; moving a claim), marking an event pending before writing it, and deleting the mark
 * once published. No item of the events table is ever deleted.
 */
const WEBHOOK = {
  table: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
  pending: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  secret: true,
  publishes: true,
};

/**
 * What each function may do. Table actions apply to the events table, index actions to those indexes
 * only, pending actions to the pending table.
 */
const ACCESS = {
  confgo: WEBHOOK,
  devops: WEBHOOK,
  grafana: WEBHOOK,
  git: WEBHOOK,
  events: {
    table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
    indexes: { byApp: ['dynamodb:Query'], bySource: ['dynamodb:Query'] },
    // GET /status counts the backlog and asks whether each source's newest event is pending.
    pending: ['dynamodb:Query', 'dynamodb:GetItem'],
    secret: true,
  },
  // The page serves static files: it touches nothing but its log.
  page: {},
  // A replay reads a range of events (a listing) and publishes them; it never writes the table. Its
  // secret holds the key that signs its resume tokens.
  replay: {
    table: ['dynamodb:BatchGetItem'],
    indexes: { byApp: ['dynamodb:Query'], bySource: ['dynamodb:Query'] },
    secret: true,
    publishes: true,
  },
  redrive: {
    // It reads the pending marks and their events, deletes or backs off marks, and closes the id of a
    // mark whose event never came (a conditional put that never replaces an item; a read-back where a
    // refusal carries no item). It never writes or deletes an event.
    table: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:GetItem'],
    pending: ['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    publishes: true,
  },
};

const capitalized = (name) => name[0].toUpperCase() + name.slice(1);
const tableArn = { 'Fn::GetAtt': ['AppEventTable', 'Arn'] };
const pendingTableArn = { 'Fn::GetAtt': ['PendingTable', 'Arn'] };
const indexArn = (index) => ({ 'Fn::Join': ['/', [tableArn, 'index', index]] });

function role(name, access, { secretPrefix, vpc }) {
  const statements = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [`${capitalized(name)}LogGroup`, 'Arn'] },
    },
  ];
  if (access.table) statements.push({ Effect: 'Allow', Action: access.table, Resource: tableArn });
  for (const [index, actions] of Object.entries(access.indexes ?? {})) {
    statements.push({ Effect: 'Allow', Action: actions, Resource: indexArn(index) });
  }
  if (access.pending) statements.push({ Effect: 'Allow', Action: access.pending, Resource: pendingTableArn });
  if (access.secret) {
    // Secrets Manager adds six random characters to a secret's ARN.
    const arn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:secret:${secretPrefix}/${name}-??????`,
        ],
      ],
    };
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: arn });
  }
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: `${name}-access`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      // Network interfaces in the VPC: only for the functions that publish, only with network=vpc.
      ...(vpc && access.publishes
        ? {
            ManagedPolicyArns: [
              {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
                ],
              },
            ],
          }
        : {}),
    },
  };
}

/** A Lambda in a VPC reaches DynamoDB through a gateway endpoint (or a NAT the VPC already has). */
function gatewayEndpoint(vpcId, routeTableIds) {
  return {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      VpcEndpointType: 'Gateway',
      VpcId: vpcId,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
      RouteTableIds: routeTableIds.split(','),
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const secretPrefix = await resolveVariable('param:secretPrefix');
  const vpc = (await resolveVariable('param:network')) === 'vpc';
  const Resources = {};
  for (const [name, access] of Object.entries(ACCESS)) {
    Resources[`${capitalized(name)}Role`] = role(name, access, { secretPrefix, vpc });
  }
  const routeTableIds = await resolveVariable('param:routeTableIds');
  if (vpc && routeTableIds) {
    Resources.DynamoDbGatewayEndpoint = gatewayEndpoint(await resolveVariable('param:vpcId'), routeTableIds);
  }
  return { Resources };
};

module.exports.ACCESS = ACCESS;
