-- Health of a Volcano Queue from the state the Volcano controller reports.
-- Open: jobs are scheduled from it. Closed on purpose (vcctl queue operate -a close):
-- Suspended. Closing (waiting for its running jobs to end) and a queue the controller has
-- not seen yet: Progressing. Unknown: Degraded, the controller cannot tell.
local state = nil
if obj.status ~= nil then
  state = obj.status.state
end
if state == "Open" then
  return {status = "Healthy", message = "Queue is open"}
end
if state == "Closed" then
  return {status = "Suspended", message = "Queue is closed"}
end
if state == "Closing" then
  return {status = "Progressing", message = "Queue is closing"}
end
if state == "Unknown" then
  return {status = "Degraded", message = "Queue state is unknown"}
end
return {status = "Progressing", message = "Waiting for Volcano to open the queue"}
